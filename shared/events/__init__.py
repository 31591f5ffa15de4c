from shared.events import schemas as _schemas  # noqa: F401  (registers the schemas)
from shared.events.envelope import Envelope
from shared.events.registry import REGISTRY, EventSpec, dead_letter_topic_for, topic_for

__all__ = ["REGISTRY", "Envelope", "EventSpec", "dead_letter_topic_for", "topic_for"]
