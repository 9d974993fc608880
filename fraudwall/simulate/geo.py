"""Geography of the simulated operator: cities, counties and the cell sites that cover them.

Cells are stored sorted by city, so "a random cell in city c" is one integer draw between
``city_start[c]`` and ``city_start[c] + city_count[c]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from fraudwall.contract import TABLES


@dataclass(frozen=True)
class City:
    name: str
    province: str  # ISO 3166-2 code, used as the domestic roaming region
    lat: float
    lon: float
    weight: float  # share of subscribers
    #: counties, each with the risk level of its border cells (0 = not a border county)
    counties: tuple[tuple[str, int], ...]


def _c(name: str, prov: str, lat: float, lon: float, w: float, *counties: str) -> City:
    parsed = tuple((c.rstrip("*123"), int(c[-1]) if c[-1].isdigit() else 0) for c in counties)
    return City(name, prov, lat, lon, w, parsed)


# A trailing digit on a county marks a border county and the risk level of its border cells.
CITIES: tuple[City, ...] = (
    _c(
        "北京",
        "CN-BJ",
        39.90,
        116.40,
        8,
        "东城区",
        "西城区",
        "朝阳区",
        "海淀区",
        "丰台区",
        "通州区",
    ),
    _c("上海", "CN-SH", 31.23, 121.47, 8, "黄浦区", "徐汇区", "浦东新区", "闵行区", "静安区"),
    _c("广州", "CN-GD", 23.13, 113.26, 7, "天河区", "越秀区", "海珠区", "白云区", "番禺区"),
    _c("深圳", "CN-GD", 22.54, 114.06, 7, "福田区", "南山区", "罗湖区", "宝安区", "龙岗区"),
    _c("东莞", "CN-GD", 23.02, 113.75, 4, "莞城街道", "东城街道", "虎门镇", "长安镇"),
    _c("成都", "CN-SC", 30.57, 104.07, 6, "锦江区", "武侯区", "成华区", "青羊区", "金牛区"),
    _c("重庆", "CN-CQ", 29.56, 106.55, 6, "渝中区", "江北区", "南岸区", "沙坪坝区", "九龙坡区"),
    _c("杭州", "CN-ZJ", 30.27, 120.16, 5, "上城区", "西湖区", "拱墅区", "滨江区", "萧山区"),
    _c("武汉", "CN-HB", 30.59, 114.31, 5, "江岸区", "武昌区", "洪山区", "汉阳区"),
    _c("西安", "CN-SN", 34.34, 108.94, 5, "雁塔区", "碑林区", "未央区", "莲湖区"),
    _c("南京", "CN-JS", 32.06, 118.80, 4, "玄武区", "鼓楼区", "秦淮区", "建邺区"),
    _c("苏州", "CN-JS", 31.30, 120.59, 4, "姑苏区", "吴中区", "工业园区", "昆山市"),
    _c("郑州", "CN-HA", 34.75, 113.63, 4, "金水区", "中原区", "二七区", "管城回族区"),
    _c("长沙", "CN-HN", 28.23, 112.94, 4, "岳麓区", "芙蓉区", "天心区", "开福区"),
    _c("天津", "CN-TJ", 39.13, 117.20, 4, "和平区", "河西区", "南开区", "滨海新区"),
    _c("沈阳", "CN-LN", 41.80, 123.43, 3, "和平区", "沈河区", "皇姑区", "铁西区"),
    _c("哈尔滨", "CN-HL", 45.80, 126.53, 3, "道里区", "南岗区", "香坊区"),
    _c("福州", "CN-FJ", 26.07, 119.30, 3, "鼓楼区", "台江区", "仓山区"),
    _c("厦门", "CN-FJ", 24.48, 118.09, 2, "思明区", "湖里区", "集美区"),
    _c("南宁", "CN-GX", 22.82, 108.37, 3, "青秀区", "兴宁区", "西乡塘区"),
    _c("防城港", "CN-GX", 21.69, 108.35, 0.6, "港口区", "防城区", "东兴市2"),
    _c("昆明", "CN-YN", 25.04, 102.71, 3, "五华区", "盘龙区", "官渡区", "西山区"),
    _c("德宏", "CN-YN", 24.43, 98.58, 0.6, "芒市", "瑞丽市3", "陇川县2"),
    _c("临沧", "CN-YN", 23.88, 100.09, 0.6, "临翔区", "耿马县2", "镇康县2"),
    _c("西双版纳", "CN-YN", 22.01, 100.80, 0.6, "景洪市", "勐腊县1", "勐海县1"),
    _c("乌鲁木齐", "CN-XJ", 43.83, 87.62, 2, "天山区", "沙依巴克区", "新市区"),
)
CITY_NAMES = tuple(c.name for c in CITIES)
PROVINCES = tuple(sorted({c.province for c in CITIES}))
CITY_PROVINCE = np.array([PROVINCES.index(c.province) for c in CITIES], dtype=np.int16)
CITY_WEIGHTS = np.array([c.weight for c in CITIES]) / sum(c.weight for c in CITIES)
#: Highest border risk level of each city's counties (0 for a city away from the border).
CITY_MAX_RISK = np.array([max(r for _, r in c.counties) for c in CITIES], dtype=np.int8)


@dataclass
class Cells:
    """The cell sites, sorted by city."""

    cell_id: pa.StringArray
    city: np.ndarray  # int16 index into CITIES
    county: pa.StringArray
    lat: np.ndarray
    lon: np.ndarray
    risk: np.ndarray  # int8, 0..3
    city_start: np.ndarray  # first cell of each city
    city_count: np.ndarray  # cells of each city

    def __len__(self) -> int:
        return self.city.size

    def random_in_city(self, rng: np.random.Generator, city: np.ndarray) -> np.ndarray:
        """One random cell for each entry of ``city``."""
        city = np.asarray(city)
        return self.city_start[city] + (rng.random(city.size) * self.city_count[city]).astype(
            np.int64
        )

    def risky_in_city(
        self, rng: np.random.Generator, city: np.ndarray, at_least: int
    ) -> np.ndarray:
        """One random cell of risk level ``>= at_least`` in each ``city`` (which must have one)."""
        risky = self.where_risk(at_least)  # sorted by city, as the cells are
        city = np.asarray(city)
        lo = np.searchsorted(self.city[risky], city, "left")
        hi = np.searchsorted(self.city[risky], city, "right")
        if (hi <= lo).any():
            raise ValueError(f"a city without cells of risk level {at_least}")
        return risky[lo + (rng.random(city.size) * (hi - lo)).astype(np.int64)]

    def where_risk(self, at_least: int, exactly: bool = False) -> np.ndarray:
        """Indices of cells with risk level ``>= at_least`` (or ``== at_least``)."""
        return np.flatnonzero(self.risk == at_least if exactly else self.risk >= at_least)

    def to_table(self) -> pa.Table:
        """The ``cells`` table of the contract."""
        names = np.array(CITY_NAMES, dtype=object)
        return pa.table(
            {
                "cell_id": self.cell_id,
                "lat": pa.array(np.round(self.lat, 5)),
                "lon": pa.array(np.round(self.lon, 5)),
                "city": pa.array(names[self.city], pa.string()),
                "county": self.county,
                "risk_area": pa.array(self.risk.astype(np.int64)),
            },
            schema=TABLES["cells"].arrow_schema(),
        )


def build_cells(rng: np.random.Generator, n_cells: int) -> Cells:
    """About ``n_cells`` cell sites spread over the cities by population, sorted by city.

    Border counties get a few high-risk cells; everywhere else ``risk_area`` is 0.
    """
    per_city = np.maximum(6, np.round(CITY_WEIGHTS * n_cells)).astype(np.int64)
    city = np.repeat(np.arange(len(CITIES), dtype=np.int16), per_city)
    n = city.size
    county_count = np.array([len(c.counties) for c in CITIES])
    county_local = (rng.random(n) * county_count[city]).astype(np.int64)
    # Every county gets at least one cell, so border counties always exist on the map.
    starts = np.concatenate([[0], np.cumsum(per_city)[:-1]])
    for ci, c in enumerate(CITIES):  # a loop over ~30 cities, not over rows
        k = min(len(c.counties), per_city[ci])
        county_local[starts[ci] : starts[ci] + k] = np.arange(k)
    flat_counties = [(cname, risk) for c in CITIES for cname, risk in c.counties]
    county_base = np.concatenate([[0], np.cumsum(county_count)[:-1]])
    county_idx = county_base[city] + county_local
    county_names = np.array([x[0] for x in flat_counties], dtype=object)
    county_risk = np.array([x[1] for x in flat_counties], dtype=np.int8)

    # Counties sit around the city centre; cells scatter around their county.
    county_dlat = rng.normal(0, 0.08, county_names.size)
    county_dlon = rng.normal(0, 0.08, county_names.size)
    lat = np.array([c.lat for c in CITIES])[city] + county_dlat[county_idx] + rng.normal(0, 0.02, n)
    lon = np.array([c.lon for c in CITIES])[city] + county_dlon[county_idx] + rng.normal(0, 0.02, n)

    # In a border county about half the cells reach the border risk level, the rest one less.
    base = county_risk[county_idx]
    risk = np.where(rng.random(n) < 0.5, base, np.maximum(base - 1, 0)).astype(np.int8)
    # The first cell of each border county carries its full level, so every level exists.
    first = np.unique(county_idx, return_index=True)[1]
    risk[first] = county_risk[county_idx[first]]

    lac = 10_000 + county_idx
    serial = rng.permutation(np.arange(n)) + 1
    cell_id = pa.array(
        np.char.add(np.char.add("460-00-", lac.astype(str)), np.char.add("-", serial.astype(str))),
        pa.string(),
    )
    return Cells(
        cell_id=cell_id,
        city=city,
        county=pa.array(county_names[county_idx], pa.string()),
        lat=lat,
        lon=lon,
        risk=risk,
        city_start=starts.astype(np.int64),
        city_count=per_city,
    )
