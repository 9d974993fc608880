"""What simulated SMS say: message templates per kind, written for this project, with slots.

Slots (``{amount}``, ``{url}``, ``{wechat}``, ...) are filled by
:mod:`fraudwall.simulate.sms_content`. The fraud kinds are the five frequent fraud types
(:data:`fraudwall.contract.FRAUD_TYPES`); every fraud template names a way to reach the sender
(a link, a number, a WeChat or QQ id). The ordinary kinds include legitimate look-alikes: bank
and platform notices that carry a link, amounts or a hotline, chat that passes on a WeChat id,
marketing with coupons and links.
"""

from __future__ import annotations

from fraudwall.contract import FRAUD_TYPES

#: Ordinary message kinds (label ``normal`` in a classifier's training set).
ORDINARY = ("chat", "code", "delivery", "bank", "bank_link", "operator", "marketing")
#: Every kind; an SMS kind code is an index into this tuple (fraud types first).
KINDS = (*FRAUD_TYPES, *ORDINARY)
KIND = {name: i for i, name in enumerate(KINDS)}

TEMPLATES: dict[str, tuple[str, ...]] = {
    "click_farming": (
        "【{shop}兼职】在家用手机做任务，点赞关注一单{small}元，当天结算，报名加微信{wechat}",
        "招募线上兼职，宝妈学生都可做，每天一两小时，日入{amount}元，名额有限速加QQ{qq}",
        "恭喜您被选为{shop}体验官，完成三单垫付任务立返本金和{pct}%佣金，联系{wechat}",
        "网店刷好评，做一单返一单，佣金{small}元起，下载{app}注册 {url}",
        "急招打字员、点赞员，无需经验，一单一结，首单秒返，详询{phone}",
        "{shop}商家冲量，诚招试用员，先垫付后返现，每单赚{small}元，微信{wechat}",
        "兼职福利：关注主播送礼物即返{pct}%，日结工资{amount}元，进群请点 {url}",
        "您的兼职申请已通过，请下载{app}领取首单任务，佣金{small}元 {url}",
    ),
    "fake_investment": (
        "【{app}】导师内部带单，稳赚不亏，日收益{pct}%，免费入群请加微信{wechat}",
        "数字货币新平台上线，首充{amount}元送{small}元体验金，注册即赚 {url}",
        "明日必涨牛股已出，VIP群免费领取三只，老师QQ{qq}，名额仅剩{small}个",
        "外汇黄金专业分析师一对一指导，月收益翻倍，开户链接 {url}",
        "养老理财新项目，国资背景，年化{pct}%保本保息，起投{amount}元，咨询{phone}",
        "恭喜您获得{app}内测资格，充值{amount}元返{pct}%，提现秒到账，下载 {url}",
        "私募内部消息，跟投{app}项目三天回本，诚邀您加入，联系助理{wechat}",
        "您的投资账户已解冻，收益{big}万待提现，请先缴纳{pct}%税费，客服{phone}",
    ),
    "fake_loan": (
        "无抵押无担保，凭身份证可贷{big}万，不看征信当天到账，申请 {url}",
        "【{app}】您有{amount}元借款额度待领取，秒批秒到，回复1或加微信{wechat}办理",
        "急用钱找我们，低息贷款黑户也能下款，额度{big}万起，联系QQ{qq}",
        "您的贷款申请已通过审核，需先交{small}元解冻金方可放款，请致电{phone}",
        "网贷逾期可协商还款，征信修复，额度提升，专员热线{phone}",
        "【{app}】尊敬的用户，您的{amount}元额度即将失效，立即提现 {url}",
        "信用卡大额代办，包下卡，额度{big}万，手续费低，微信{wechat}",
        "工薪贷、房车贷、装修贷，月息低至{pct}厘，当天放款，电话{phone}",
    ),
    "fake_customer_service": (
        "【{shop}客服】您购买的商品检测不合格，可办理三倍赔付{amount}元，请加理赔专员微信{wechat}",
        "尊敬的{shop}用户，您开通的会员将于今日自动扣费{small}元/月，取消请致电{phone}",
        "您的快递在{courier}运输途中丢失，现为您理赔{amount}元，请点击 {url} 填写收款信息",
        "【{shop}金融】系统检测到您误开通代理商服务，每月扣费{small}元，关闭请联系{phone}",
        "您的{shop}账户存在异常登录已被冻结，请于24小时内登录 {url} 验证解冻",
        "您的百万医疗保险即将扣费{small}元，如需退订请联系人工客服{phone}",
        "【{courier}】您的包裹因地址不详被退回，重新派送请点击 {url} 补填地址",
        "{shop}订单退款通知：因系统故障您的订单需退款{amount}元，请加客服QQ{qq}办理",
    ),
    "police_impersonation": (
        "【{city}公安局】您的身份信息涉嫌一起洗钱案，案件编号{case}，请立即致电{phone}配合调查",
        "检察院通知：您名下银行账户涉嫌违法将被冻结，请登录 {url} 查询通缉令",
        "{city}市公安局刑侦支队通知：您涉嫌非法集资，须将资金转入安全账户接受核查，电话{phone}",
        "法院传票：您有一张传票逾期未签收，将被强制执行，详情咨询{phone}",
        "【医保局】您的医保卡被冒用违规套现，请联系专员{phone}转接警方处理",
        "{city}反诈中心提醒：您的账户涉案需清查资金，请下载会议软件联系办案民警{wechat}",
        "您好，您的快递中夹带违禁品已被{city}海关扣押，涉嫌走私，请速联系{phone}",
        "【{city}公安】您名下手机号涉嫌诈骗即将停机，如有异议请在两小时内拨打{phone}",
    ),
    "chat": (
        "今晚回家吃饭吗？我做了{dish}",
        "{relative}，我{when}到家，不用等我",
        "明天{when}在{place}门口见，别迟到",
        "到家了吗？到了说一声",
        "好的，收到，我马上过去",
        "帮我带一瓶酱油回来，家里没了",
        "生日快乐！祝你天天开心，身体健康",
        "孩子{when}放学，你去接一下吧",
        "我的新微信号是{wechat}，加我一下",
        "车停在{place}了，钥匙在门口鞋柜上",
        "周末一起去{place}吃饭吧，我请客",
        "刚才开会没接到电话，有什么事吗",
        "上次借你的{amount}块钱我转你微信了，查收一下",
        "{relative}身体好些了吗？周末我回去看看",
    ),
    "code": (
        "【{shop}】验证码{code}，5分钟内有效，请勿泄露给他人。",
        "您的登录验证码为{code}，如非本人操作请忽略本短信。【{shop}】",
        "【{bank}】动态密码{code}，您正在进行网上支付，金额{amount}元，切勿告知他人。",
        "【{shop}】您正在修改登录密码，验证码{code}，10分钟内有效。",
        "【12306】您的验证码是{code}，用于账号注册，请勿转发。",
    ),
    "delivery": (
        "【{courier}】您的快递已到{place}驿站，取件码{pickup}，请尽快领取。",
        "【{courier}】快递员正在为您派送包裹，如不在家请回复，电话{phone}。",
        "【{shop}】您的订单已发货，{courier}单号{case}，预计{when}送达。",
        "【{courier}】您有包裹已放入{place}快递柜，取件码{pickup}，24小时内免费。",
        "【丰巢】凭取件码{pickup}至{place}丰巢柜取件，超时将收取保管费。",
    ),
    "bank": (
        "【{bank}】您尾号{tail}的账户{when}支出{amount}.00元，余额{balance}.50元。",
        "【{bank}】您尾号{tail}的信用卡本期账单{amount}元，到期还款日为本月25日。",
        "【{bank}】您尾号{tail}的账户收到工资{amount}.00元，余额{balance}.00元。",
        "【{bank}】您尾号{tail}的卡于{when}消费{small}.00元，如非本人操作请致电{bank_phone}。",
        "【{bank}】温馨提示：请勿向任何人透露验证码和密码，谨防电信诈骗，客服{bank_phone}。",
    ),
    "bank_link": (
        "【{bank}】尊敬的客户，您的信用卡积分将于年底清零，可登录手机银行或官网 {bank_url} "
        "兑换，客服{bank_phone}。",
        "【{bank}】我行将于本周日凌晨系统升级，期间暂停网银服务，详见 {bank_url}，"
        "咨询{bank_phone}。",
        "【{bank}】您的借记卡即将到期，请携带身份证到网点换卡，网点查询 {bank_url}。",
        "【{bank}】您尾号{tail}的信用卡已激活，可在 {bank_url} 设置还款提醒，客服{bank_phone}。",
        "【{bank}】您申请的分期{amount}元已审批通过，详情请登录手机银行查看，"
        "官方网站 {bank_url}，勿信陌生来电。",
    ),
    "operator": (
        "【中国移动】尊敬的客户，您本月话费{small}.00元，当前余额{balance}.00元。",
        "【中国移动】您本月套餐流量已使用{pct}GB，剩余流量可在中国移动APP查询。",
        "【中国移动】您已成功办理{small}元流量包，次月生效，退订请发送TD到10086。",
        "【中国移动】温馨提示：您的话费余额不足{small}元，请及时充值以免影响使用。",
    ),
    "marketing": (
        "【{shop}】会员日全场{discount}折，满{amount}减{small}，戳 {shop_url} 拒收请回复R",
        "【{shop}】新品上市，首单立减{small}元，限时三天，详情 {shop_url} 回T退订",
        "【{shop}】您的{small}元优惠券即将过期，速来使用 {shop_url} 退订回N",
        "【{shop}】周年庆，到店消费满{amount}元送{small}元代金券，{place}店等你，退订回T",
        "【{shop}】亲爱的会员，您有{pct}倍积分待领取，登录APP查看，拒收请回复R",
        "【{shop}】年货节爆款直降{small}元，包邮到家，点击 {shop_url} 回TD退订",
    ),
}

SHOPS = ("淘宝", "京东", "拼多多", "抖音", "美团", "唯品会", "快手", "苏宁", "饿了么")
COURIERS = ("顺丰速运", "中通快递", "圆通速递", "韵达快递", "京东物流", "申通快递", "邮政EMS")
#: (name, official domain, hotline)
BANKS = (
    ("中国工商银行", "icbc.com.cn", "95588"),
    ("中国建设银行", "ccb.com", "95533"),
    ("中国农业银行", "abchina.com", "95599"),
    ("招商银行", "cmbchina.com", "95555"),
    ("中国银行", "boc.cn", "95566"),
    ("交通银行", "bankcomm.com", "95559"),
)
SHOP_LINKS = ("m.tb.cn/h.", "u.jd.com/", "mobile.yangkeduo.com/a/", "v.douyin.com/", "dpurl.cn/")
#: Syllables of made-up platform and app names (鑫盛财富, 速e贷, ...).
APP_HEADS = ("鑫", "汇", "金", "恒", "盛", "优", "速", "易", "融", "宏", "财", "嘉")
APP_TAILS = ("盛财富", "金宝", "易贷", "融通", "钱包", "优选", "快借", "理财", "资本", "赚吧")
RELATIVES = ("妈", "爸", "老婆", "老公", "姐", "哥", "宝贝", "奶奶")
PLACES = ("小区", "地铁站", "公司", "学校", "商场", "菜市场", "医院", "老地方")
WHENS = ("今天晚上", "明天上午", "下午三点", "周六", "八点半", "中午")
DISHES = ("红烧肉", "鱼", "饺子", "火锅", "排骨汤")
WECHAT_HEADS = ("kf", "dk", "vip", "lc", "jz", "tz", "wx", "a", "zhang", "li")
