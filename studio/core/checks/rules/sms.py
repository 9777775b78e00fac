"""Rules on rendered SMS: characters forcing UCS-2, and the segment budget."""

from __future__ import annotations

from collections.abc import Iterator

from ...findings import Location
from ..context import SmsContext
from ..registry import Hit, rule


@rule("sms.ucs2", kind="sms")
def ucs2(ctx: SmsContext) -> Iterator[Hit]:
    info = ctx.sms.info
    if info.forcing:
        chars = ", ".join(str(f) for f in info.forcing)
        yield Hit(
            ctx.sms.template + (f" ({ctx.sms.sample})" if ctx.sms.sample else ""),
            f"UCS-2 forced by {chars}: {info.per_segment} characters per part instead of"
            f" {160 if info.count <= 1 else 153}",
            Location(ctx.template.relname),
            {"chars": [f.char for f in info.forcing]},
        )


@rule("sms.segments", kind="sms")
def segments(ctx: SmsContext) -> Iterator[Hit]:
    info = ctx.sms.info
    if info.count > ctx.limit:
        line = ctx.template.meta.lines.get("max_sms_segments")
        yield Hit(
            ctx.sms.template + (f" ({ctx.sms.sample})" if ctx.sms.sample else ""),
            f"{info.count} {info.encoding} parts ({info.units} units); the limit is {ctx.limit}",
            Location(ctx.template.relname, line),
            {"segments": info.count, "limit": ctx.limit, "encoding": info.encoding},
        )
