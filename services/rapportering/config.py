from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "rapportering"
    prikking_terskel: int = 5
    """Published statistics suppress counts from 1 to this minus one (with secondary suppression)."""
    risk_sweep_seconds: float = 30.0
    """How often computed risk is compared with the last seen and changes published."""
    monthly_publish_seconds: float = 300.0
    """How often the scheduler publishes the monthly reports of closed months (also once at start-up)."""
