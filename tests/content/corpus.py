"""A tiny hand-written SMS corpus (not the research data set) and a trained model fixture."""

from __future__ import annotations

import csv
from pathlib import Path

NORMAL = [
    "妈妈，我今天晚上加班，不回家吃饭了",
    "明天上午十点开会，请准时参加",
    "您的快递已放在小区门口的快递柜，取件码{n}",
    "周末一起去爬山吧，早上八点在地铁站见",
    "【某银行】您尾号{n}的卡消费128元，如非本人操作请致电官方客服",
    "老师您好，孩子今天发烧请假一天",
    "会议改到下午三点，地点不变",
    "生日快乐！祝你天天开心",
    "晚饭做好了，记得买点水果回来",
    "您好，您预约的体检时间是周三上午九点",
    "项目文档已经发到你邮箱了，请查收",
    "今天下雨，出门记得带伞",
]
LOAN = [
    "无抵押低息贷款，最高可贷{n}万，当天放款，加微信dk{n}办理",
    "急用钱？免征信秒批贷款，下载安心贷APP即可申请，额度{n}元",
    "信用卡代办，包下卡，额度高，联系QQ{n}",
    "您已获得{n}元贷款额度，点击 hxxp://daikuan-vip[.]top 领取",
    "低息贷款免抵押，黑户也能贷，咨询微信dai{n}",
    "贷款额度已审批通过，{n}元当天到账，请先交保证金",
]
POLICE = [
    "我是市公安局民警，你的银行卡涉嫌洗钱，请配合调查，将资金转入安全账户",
    "检察院通知：你涉嫌一起诈骗案件，请立即联系办案警官{n}",
    "你好，这里是公安局，你名下账户涉嫌非法集资，需要冻结资金配合调查",
    "法院传票：您有一份未处理的诉讼，请致电{n}核实，否则将被强制执行",
    "公安机关通知你的身份证被冒用，涉嫌洗钱，请下载会议软件配合调查",
    "我是刑警大队的警官，你涉及一起案件，资金需要转到安全账户核查",
]
SERVICE = [
    "您好我是淘宝客服，您购买的商品有质量问题，可办理退款，请加微信kf{n}",
    "【京东客服】您的订单异常需要退款，请点击 http://jd-kefu.top 办理",
    "快递丢失理赔，我是快递客服，赔偿您{n}元，请提供银行卡号",
    "您的百万保障即将扣费，如需取消请联系客服{n}",
    "客服通知：您的会员将自动续费，退订请下载屏幕共享软件",
    "您好，我是平台客服，您的账户被误开通代理，需要关闭否则每月扣费",
]


def corpus(reps: int = 3) -> list[tuple[str, str]]:
    """Labelled messages: each template a few times with different numbers."""
    rows = []
    for label, texts in (
        ("normal", NORMAL),
        ("loan", LOAN),
        ("police", POLICE),
        ("service", SERVICE),
    ):
        for i, t in enumerate(texts):
            for r in range(reps):
                rows.append((t.format(n=1000 + 37 * i + 101 * r), label))
    return rows


def write_csv(
    path: Path,
    rows: list[tuple[str, ...]],
    header: tuple[str, ...] = ("content", "label"),
    encoding: str = "utf-8",
) -> Path:
    with path.open("w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path
