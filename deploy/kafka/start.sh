#!/bin/bash
# Start the broker: write server.properties with the admin password, format the log directory once with
# the admin's SCRAM credential (KRaft keeps SCRAM credentials in its metadata log), then run Kafka.
set -euo pipefail
: "${KAFKA_ADMIN_PASSWORD:?set KAFKA_ADMIN_PASSWORD}" "${KAFKA_CLUSTER_ID:?set KAFKA_CLUSTER_ID}"
umask 077
sed "s|@ADMIN_PASSWORD@|${KAFKA_ADMIN_PASSWORD}|" /opt/imdi/kafka/server.properties > /tmp/server.properties
cat > /tmp/admin.properties <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${KAFKA_ADMIN_PASSWORD}";
ssl.truststore.type=PEM
ssl.truststore.location=/etc/kafka/secrets/ca.pem
PROPS
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t "${KAFKA_CLUSTER_ID}" -c /tmp/server.properties \
  --add-scram "SCRAM-SHA-512=[name=admin,password=${KAFKA_ADMIN_PASSWORD}]"
exec /opt/kafka/bin/kafka-server-start.sh /tmp/server.properties
