from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "tolkeregister"
    kategoriordning: str = "2017"
    """The category scheme in force: ``kategorier/<kategoriordning>.yaml`` (a later scheme is a new file)."""
    offentlig_kvote: int = 60
    """The public endpoints' per-client bucket: at most this many requests in a burst …"""
    offentlig_kvote_per_sekund: float = 1.0
    """… refilled at this rate (requests per second), per client address."""
