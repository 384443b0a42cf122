import time, pytest
from tests.security.test_hostile_input import place, unthrottled  # noqa
def test_time(place):
    staff, rev, period = place["staff"], place["reviewer"], place["period"]
    for url, c in [(f"/countries/NL/periods/{period.pk}/", staff), ("/countries/NL/", staff), (f"/countries/NL/periods/{period.pk}/review/", rev), (f"/history/value/{place['value'].pk}/", staff), ("/countries/NL/commitments/new/", staff), (f"/commitments/{place['commitment'].pk}/periods/{period.pk}/", staff), ("/api/v1/commitments/?format=csv", rev)]:
        c.get(url)
        t=time.perf_counter()
        for _ in range(5): r = c.get(url); (b"".join(r.streaming_content) if r.streaming else r.content)
        print(url, round((time.perf_counter()-t)/5*1000,1), "ms")
    t=time.perf_counter()
    staff.post(f"/countries/NL/periods/{period.pk}/", {"VI-2-value": "45", "VI-2-note": "x", "VI-2-expected_version": 1})
    print("post data entry", round((time.perf_counter()-t)*1000,1))
