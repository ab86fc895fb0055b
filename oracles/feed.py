"""The one way to build a site's oracle: config, signature-checked data, factors, chain clients.

`ape run oracle ...` and the demo both start here, so they read the same data the same way.
"""

from collections.abc import Callable
from pathlib import Path

from jcredit.connect import Platform
from jcredit.tx import Sender
from methodology.factors import load_factors
from oracles.intake import Intake, check_signatures, load_source
from oracles.site import SiteConfig, load_site
from oracles.submit import Oracle


def site_intake(site: SiteConfig, platform: Platform) -> Intake:
    """The site's readings with every meter signature checked against this deployment's domain.

    The refused readings are in `.refusals`; they never count.
    """
    readings, batches, raw = load_source(site)
    deployment = platform.deployment
    return check_signatures(site, readings, batches, deployment.chain_id, deployment.registry, raw)


def open_oracle(
    site_path: Path,
    platform: Platform,
    sender: Sender,
    factors_path: Path | None = None,
    log: Callable[[str], None] = print,
) -> Oracle:
    """The oracle of the site at `site_path`; raises OracleError / MethodologyError on bad input."""
    site = load_site(site_path)
    factors = load_factors(factors_path)
    return Oracle(
        site=site,
        intake=site_intake(site, platform),
        platform=platform,
        sender=sender,
        factors=factors,
        log=log,
    )
