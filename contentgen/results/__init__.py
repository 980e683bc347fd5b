"""Results loop: tracking codes on what goes out, outcomes read back, lift measured, a case library for the next run."""

from contentgen.results.tracking import TrackingCode, parse_tracking_code, tag_url, tracking_code, utm_params

__all__ = ["TrackingCode", "parse_tracking_code", "tag_url", "tracking_code", "utm_params"]
