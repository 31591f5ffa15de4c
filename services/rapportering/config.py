from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "rapportering"
    prikking_terskel: int = 5
    """Published statistics suppress counts from 1 to this minus one (with secondary suppression)."""
    risk_sweep_seconds: float = 30.0
    """How often computed risk is compared with the last seen and changes published."""
