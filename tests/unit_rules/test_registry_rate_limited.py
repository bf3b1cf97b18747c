from __future__ import annotations

from imagelint.online.answers import RATE_LIMITED, UNREACHABLE
from tests.unit_rules.helpers import image_pod
from tests.unit_rules.online_helpers import answer, online_findings

RULE = "registry-rate-limited"


def test_full_message_with_the_limit():
    detail = "registry-1.docker.io answered 429 Too Many Requests (limit 100 per 6 h, 0 remaining)"
    said = answer(RATE_LIMITED, "docker.io/library/nginx:1.27", detail=detail)
    [finding] = online_findings(image_pod("nginx:1.27"), RULE, {"nginx:1.27": said})
    assert finding.message == (
        "could not check docker.io/library/nginx:1.27: registry-1.docker.io answered 429 Too "
        "Many Requests (limit 100 per 6 h, 0 remaining)"
    )
    assert finding.severity.label == "warning"


def test_other_faults_are_not_rate_limits():
    said = answer(UNREACHABLE, "docker.io/library/nginx:1.27", detail="timed out")
    assert online_findings(image_pod("nginx:1.27"), RULE, {"nginx:1.27": said}) == []
