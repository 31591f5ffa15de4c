# Every service's events are registered on import: the shared ones, then one module per source service.
from shared.events import kvalifisering as _kvalifisering  # noqa: F401
from shared.events import schemas as _schemas  # noqa: F401
from shared.events import tilskudd as _tilskudd  # noqa: F401
from shared.events import tolkeregister as _tolkeregister  # noqa: F401
from shared.events.envelope import Envelope
from shared.events.registry import REGISTRY, EventSpec, dead_letter_topic_for, topic_for

__all__ = ["REGISTRY", "Envelope", "EventSpec", "dead_letter_topic_for", "topic_for"]
