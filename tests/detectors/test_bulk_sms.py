import pandas as pd
from number_cases import T0, num, reasons

from fraudwall.detectors.library.bulk_sms import BulkSms

SPAMMER = num(170, 1)
CHATTY = num(171, 1)
ORGANISER = num(172, 1)


def sms(msisdn: str, other: str, direction: str, k: int) -> dict:
    return {
        "record_id": f"s{msisdn}{other}{direction}{k}",
        "msisdn": msisdn,
        "other_party": other,
        "direction": direction,
        "sent_at": T0 + pd.Timedelta(minutes=k),
    }


def test_flags_texting_a_silent_crowd_not_a_chatty_texter_or_an_answered_organiser(make_ctx):
    rows = []
    for i in range(30):  # ordinary people text two friends who reply
        for f in (1, 2):
            rows += [
                sms(num(138, i), num(138, i + f), "MO", i),
                sms(num(138, i), num(138, i + f), "MT", i + 1),
            ]
    rows += [sms(SPAMMER, num(139, i), "MO", i) for i in range(150)]
    rows += [sms(CHATTY, num(138, 1), "MO", i) for i in range(200)]
    # A club organiser texts 150 members, most of whom reply.
    rows += [sms(ORGANISER, num(137, i), "MO", i) for i in range(150)]
    rows += [sms(ORGANISER, num(137, i), "MT", 200 + i) for i in range(120)]
    p = BulkSms.Params()
    hits = BulkSms().find(make_ctx(sms=rows), p).execute()
    assert hits["entity_id"].tolist() == [SPAMMER]
    assert (hits["recipients"].item(), hits["reply_share"].item()) == (150, 0.0)
    assert 0.6 <= hits["score"].item() <= 1.0
    assert "150 messages to 150 distinct numbers" in reasons(BulkSms, hits, p)[0]
