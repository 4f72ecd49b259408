import pytest

from casework.urlnorm import InvalidURL, normalize_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://Seedance.Example/Share/ABC", "https://seedance.example/Share/ABC"),
        ("https://seedance.example:443/a", "https://seedance.example/a"),
        ("http://seedance.example:80/a", "http://seedance.example/a"),
        ("http://seedance.example:8080/a", "http://seedance.example:8080/a"),
        ("https://seedance.example/a#t=30", "https://seedance.example/a"),
        ("https://seedance.example/a/", "https://seedance.example/a"),
        ("https://seedance.example", "https://seedance.example/"),
        ("https://seedance.example/", "https://seedance.example/"),
        (
            "https://www.tiktok.com/@u/video/1?utm_source=x&is_from_webapp=1&lang=en",
            "https://www.tiktok.com/@u/video/1?lang=en",
        ),
        ("https://x.example/a?fbclid=1&gclid=2", "https://x.example/a"),
        ("https://x.example/a?b=2&a=1", "https://x.example/a?a=1&b=2"),
        ("https://x.example/a%7Eb", "https://x.example/a~b"),
        ("https://x.example/a b", "https://x.example/a%20b"),
        ("  https://x.example/a  ", "https://x.example/a"),
        ("https://user:pw@x.example/a", "https://x.example/a"),
        ("https://x.example.//a//b", "https://x.example/a/b"),
        ("https://bücher.example/a", "https://xn--bcher-kva.example/a"),
    ],
)
def test_normalize(raw, expected):
    assert normalize_url(raw) == expected


def test_equivalent_urls_normalise_alike():
    a = normalize_url("HTTPS://WWW.TikTok.com:443/@u/video/1/?utm_campaign=x#frag")
    b = normalize_url("https://www.tiktok.com/@u/video/1")
    assert a == b


@pytest.mark.parametrize(
    "raw",
    ["ftp://x.example/a", "file:///etc/passwd", "not a url", "https://", "javascript:alert(1)"],
)
def test_refuses_non_http(raw):
    with pytest.raises(InvalidURL):
        normalize_url(raw)
