#!/bin/bash
# Run once per deployment (the kafka-setup container), and again after adding a service or a topic; every
# step is idempotent. Creates the topics, one SCRAM user per service, and the ACLs below: each service
# writes only its own topic (and its dead-letter and marker topics) and reads only what it consumes.
# tests/unit/test_deploy.py parses the `allow` lines and checks them against the code.
set -euo pipefail
: "${KAFKA_ADMIN_PASSWORD:?}" "${KAFKA_PARTITIONS:=4}"
BIN=/opt/kafka/bin
umask 077
cat > /tmp/admin.properties <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${KAFKA_ADMIN_PASSWORD}";
ssl.truststore.type=PEM
ssl.truststore.location=/etc/kafka/secrets/ca.pem
PROPS
ADMIN=(--bootstrap-server kafka:9093 --command-config /tmp/admin.properties)

topic() {  # topic NAME [PARTITIONS]
  "$BIN/kafka-topics.sh" "${ADMIN[@]}" --create --if-not-exists --topic "$1" --partitions "${2:-$KAFKA_PARTITIONS}" \
    --replication-factor 1
}

user() {  # user NAME: its SCRAM password comes from KAFKA_PASSWORD_<NAME>
  local var="KAFKA_PASSWORD_${1^^}"
  "$BIN/kafka-configs.sh" "${ADMIN[@]}" --alter --entity-type users --entity-name "$1" \
    --add-config "SCRAM-SHA-512=[password=${!var:?set $var}]"
}

allow() {  # allow USER OPERATION topic|group NAME [literal|prefixed]
  "$BIN/kafka-acls.sh" "${ADMIN[@]}" --add --allow-principal "User:$1" --operation "$2" "--$3" "$4" \
    --resource-pattern-type "${5:-literal}"
}

for service in bosetting kvalifisering tolkeregister tilskudd rapportering; do
  topic "imdi.${service}.v1"
  user "$service"
done
topic imdi.rapportering.dlq.v1
topic imdi.kvalifisering.dlq.v1
topic imdi.tilskudd.dlq.v1

# Producers: own topic, and the marker topics their relay creates (imdi._marker.<service>.relay).
allow bosetting Write topic imdi.bosetting.v1
allow bosetting Describe topic imdi.bosetting.v1
allow bosetting Create topic imdi._marker.bosetting. prefixed
allow bosetting Describe topic imdi._marker.bosetting. prefixed

allow kvalifisering Write topic imdi.kvalifisering.v1
allow kvalifisering Describe topic imdi.kvalifisering.v1
allow kvalifisering Create topic imdi._marker.kvalifisering. prefixed
allow kvalifisering Describe topic imdi._marker.kvalifisering. prefixed
# kvalifisering also consumes bosetting's settlements (they open the right and duty to training).
allow kvalifisering Write topic imdi.kvalifisering.dlq.v1
allow kvalifisering Describe topic imdi.kvalifisering.dlq.v1
allow kvalifisering Read topic imdi.bosetting.v1
allow kvalifisering Describe topic imdi.bosetting.v1
allow kvalifisering Read group imdi.kvalifisering prefixed

allow tolkeregister Write topic imdi.tolkeregister.v1
allow tolkeregister Describe topic imdi.tolkeregister.v1
allow tolkeregister Create topic imdi._marker.tolkeregister. prefixed
allow tolkeregister Describe topic imdi._marker.tolkeregister. prefixed

allow tilskudd Write topic imdi.tilskudd.v1
allow tilskudd Describe topic imdi.tilskudd.v1
allow tilskudd Create topic imdi._marker.tilskudd. prefixed
allow tilskudd Describe topic imdi._marker.tilskudd. prefixed
# tilskudd also consumes bosetting's settlements (they create the integration grants' entitlements).
allow tilskudd Write topic imdi.tilskudd.dlq.v1
allow tilskudd Describe topic imdi.tilskudd.dlq.v1
allow tilskudd Read topic imdi.bosetting.v1
allow tilskudd Describe topic imdi.bosetting.v1
allow tilskudd Read group imdi.tilskudd prefixed

# rapportering writes its own topic and its dead letters, and reads every service's topic in its own
# consumer groups (imdi.rapportering, and imdi.rapportering.* to rebuild a read model).
allow rapportering Write topic imdi.rapportering.v1
allow rapportering Describe topic imdi.rapportering.v1
allow rapportering Write topic imdi.rapportering.dlq.v1
allow rapportering Describe topic imdi.rapportering.dlq.v1
allow rapportering Create topic imdi._marker.rapportering. prefixed
allow rapportering Describe topic imdi._marker.rapportering. prefixed
allow rapportering Read topic imdi.bosetting.v1
allow rapportering Describe topic imdi.bosetting.v1
allow rapportering Read topic imdi.kvalifisering.v1
allow rapportering Describe topic imdi.kvalifisering.v1
allow rapportering Read topic imdi.tolkeregister.v1
allow rapportering Describe topic imdi.tolkeregister.v1
allow rapportering Read topic imdi.tilskudd.v1
allow rapportering Describe topic imdi.tilskudd.v1
allow rapportering Read topic imdi.rapportering.v1
allow rapportering Read group imdi.rapportering prefixed
