from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "rapportering"
    prikking_terskel: int = 5
    """Published statistics suppress counts from 1 to this minus one (with secondary suppression)."""
    risk_sweep_seconds: float = 30.0
    """How often computed risk is compared with the last seen and changes published."""
    monthly_publish_seconds: float = 300.0
    """How often the scheduler publishes the monthly reports of closed months (also once at start-up)."""
    webhook_poll_seconds: float = 2.0
    """How often the webhook dispatcher looks for due deliveries."""
    webhook_retry_base_seconds: float = 10.0
    """First retry after this long; each further retry waits twice as long (capped below)."""
    webhook_retry_max_seconds: float = 3600.0
    webhook_max_attempts: int = 15
    """After this many failed attempts a delivery is ``feilet``; the subscriber can send it again."""
    webhook_timeout_seconds: float = 10.0
    webhook_allow_private: bool = False
    """In production, webhook URLs resolving to loopback or private addresses are refused unless this is set."""

    @property
    def webhook_restrict(self) -> bool:
        return self.environment == "production" and not self.webhook_allow_private
