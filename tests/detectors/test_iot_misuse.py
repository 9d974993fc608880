import pandas as pd
from enginefixtures import on_both_engines
from number_cases import T0, call, minutes, num, reasons, subscribers

from fraudwall.detectors.library.iot_misuse import IotMisuse

pytestmark = on_both_engines

MISUSED = num(147, 1)
METER = num(147, 2)
PHONE = num(138, 1)


def test_flags_an_iot_card_calling_people_not_one_reporting_to_its_platform(make_ctx):
    subs = subscribers([MISUSED, METER], holder_type="iot") + subscribers([PHONE])
    calls = [call(MISUSED, num(139, i), "MO", T0 + minutes(i), 60) for i in range(8)]
    calls += [call(PHONE, num(139, i), "MO", T0 + minutes(i), 60) for i in range(30)]
    calls += [call(METER, "10086", "MO", T0, 20)]  # a service code, not a person
    sms = [
        {
            "record_id": f"m{k}",
            "msisdn": METER,
            "other_party": "1065012345",
            "direction": "MO",
            "sent_at": T0 + pd.Timedelta(hours=k),
        }
        for k in range(24)
    ]
    sms += [
        {
            "record_id": "x",
            "msisdn": MISUSED,
            "other_party": num(139, 50),
            "direction": "MO",
            "sent_at": T0,
        }
    ]
    p = IotMisuse.Params()
    hits = IotMisuse().find(make_ctx(calls=calls, sms=sms, subscribers=subs), p).execute()
    assert hits["entity_id"].tolist() == [MISUSED]
    row = hits.iloc[0]
    assert (row["parties"], row["voice_calls"], row["sms"]) == (9, 8, 1)
    assert 0.6 <= row["score"] <= 1.0
    assert "9 distinct numbers" in reasons(IotMisuse, hits, p)[0]
