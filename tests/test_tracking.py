from contentgen.results.tracking import (
    TrackingCode,
    normalise_code,
    parse_tracking_code,
    tag_url,
    tracking_code,
    utm_params,
)


def test_fixed_vectors_pin_the_scheme() -> None:
    # If these change, every code already sent out stops joining: bump SCHEME instead.
    assert tracking_code("a1b2c3") == tracking_code("a1b2c3", None) == tracking_code("a1b2c3", "")
    vectors = {
        (aid, arm): tracking_code(aid, arm) for aid, arm in [("a1b2c3", None), ("a1b2c3", "B"), ("x", "holdout")]
    }
    assert all(len(code) == 10 and code.startswith("CG") for code in vectors.values())
    assert len(set(vectors.values())) == 3
    assert vectors == {
        ("a1b2c3", None): "CG4VHM9JBR",
        ("a1b2c3", "B"): "CG7F2GK4TH",
        ("x", "holdout"): "CG8R1F9PNH",
    }


def test_codes_survive_how_people_type_them() -> None:
    code = tracking_code("art-1", "A")
    messy = code.lower().replace("1", "l").replace("0", "o")
    assert normalise_code(messy) == code
    assert normalise_code(f" {code[:5]}-{code[5:]} ") == code
    assert normalise_code("hello") is None
    assert normalise_code("CGUUUUUUUU") is None
    known = {code: TrackingCode(code, "art-1", "A")}
    assert parse_tracking_code(messy, known) == known[code]
    assert parse_tracking_code(tracking_code("other"), known) is None


def test_codes_are_distinct_across_many_artifacts() -> None:
    codes = {tracking_code(f"artifact-{i}", arm) for i in range(20_000) for arm in ("A", "B")}
    assert len(codes) == 40_000


def test_utm_tags_keep_other_parameters() -> None:
    url = tag_url(
        "https://shop.example/p/QH-001?ref=x&utm_source=old",
        channel="wechat",
        campaign="qinghe-618",
        artifact_id="abc123",
        arm="B",
    )
    assert url.startswith("https://shop.example/p/QH-001?ref=x&utm_source=wechat&")
    assert "utm_source=old" not in url
    assert "utm_content=abc123.B" in url
    assert f"cg={tracking_code('abc123', 'B')}" in url
    assert utm_params(channel="sms", campaign="c", artifact_id="a")["utm_content"] == "a"
