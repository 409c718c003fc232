"""A small landing zone for the linker's tests: a filler registry plus hand-made hard cases.

The filler (1,500 persons with random names, birth dates and counties, half of them also in the
department files with clean numbers) gives the model what it learns from in a real run: term
frequencies, exact-tier pairs for the m-probabilities, and each source's share in the registry.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pipelines.normalise.idnumbers import check_char

from conftest import add_delivery, csv_bytes, write_xlsx

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静秀强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲丹鹏辉斌宇浩凯健俊帆帅旭宁龙林欣琳晨瑶怡婷雪梅"
COUNTIES = ["230102", "230103", "230104", "230108", "230123", "230124", "230125"]


def make_id(county: str, birth: date, seq: int, male: bool) -> str:
    seq = seq % 1000
    if (seq % 2 == 1) != male:
        seq = (seq + 1) % 1000
    body = f"{county}{birth:%Y%m%d}{seq:03d}"
    return body + check_char(body)


@dataclass
class Person:
    person_id: str
    household_id: str
    name: str
    id_number: str
    sex: str
    birth: date
    county: str


def filler(n: int, seed: int = 5) -> list[Person]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        male = rng.random() < 0.5
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 70))
        county = rng.choice(COUNTIES)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))
        out.append(Person(f"P9{i:06d}", f"HH9{i:06d}", name, make_id(county, birth, 100 + i, male),
                          "男" if male else "女", birth, county))
    return out


HOUSEHOLD_HEADER = ["家庭编号", "户主姓名", "户主身份证号", "行政区划代码", "详细地址", "城乡类别", "救助类别", "状态",
                    "纳入日期", "月救助金额", "家庭人口数", "家庭月人均收入", "取暖救助"]
PERSON_HEADER = ["家庭编号", "成员编号", "姓名", "身份证号", "性别", "出生日期", "与户主关系", "单独纳入", "劳动能力",
                 "健康状况", "残疾等级", "就业状况"]


def write_registry(landing: Path, people: list[Person], day: str) -> None:
    households = [HOUSEHOLD_HEADER] + [
        [p.household_id, p.name, p.id_number, p.county + "001001", "地址", "城市", "低保", "有效", "2020-01-01",
         "500", "1", "300", "已发放"] for p in people]
    persons = [PERSON_HEADER] + [
        [p.household_id, p.person_id, p.name, p.id_number, p.sex, p.birth.isoformat(), "本人", "否", "有", "健康", "",
         "无业"] for p in people]
    add_delivery(landing, "registry_households", day, {"家庭.csv": csv_bytes(households, "utf-8-sig")})
    add_delivery(landing, "registry_persons", day, {"成员.csv": csv_bytes(persons, "utf-8-sig")})


HEALTH_HEADER = ["序号", "患者姓名", "身份证号码", "性别", "出生日期", "疾病名称", "疾病编码", "确诊日期", "确诊医院"]
MEDINS_HEADER = ["序号", "姓名", "身份证号", "参保状态", "参保资助类型", "近12个月个人负担费用", "医疗救助金额"]
DPF_HEADER = ["序号", "姓名", "身份证号码", "残疾类别", "残疾等级", "残疾人证号", "困难残疾人生活补贴", "重度残疾人护理补贴"]


def health_row(no: int, name: str, id_text: str, sex: str, birth: date | None) -> list:
    return [no, name, id_text, sex, birth.isoformat() if birth else "", "肺恶性肿瘤", "C34.9", "2025-01-01", "医院"]


def medins_row(no: int, name: str, id_text: str) -> list:
    return [no, name, id_text, "参保", "定额资助", "100.00", "0"]


def dpf_row(no: int, name: str, id_text: str, card: str) -> list:
    return [no, name, id_text, "肢体", "三级", card, "已享受", "已享受"]
