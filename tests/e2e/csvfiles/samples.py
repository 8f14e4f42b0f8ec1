"""The samples the encoding rule of docs/csv.md was measured on.

School and enterprise names, posting titles and region names in
simplified Chinese (and traditional, Japanese, Korean and Latin text for
the encodings that are refused), written as CSV files of 1 to 1,000 rows,
some with only one Chinese cell among ASCII ones, and encoded with iconv:
UTF-8, GB18030, Big5, UTF-16 without a BOM, Shift_JIS, EUC-JP, EUC-KR,
ISO-8859-1, Windows-1252; and UTF-8 files spoiled by a few bytes (a stray
Latin-1 é, Windows quotes, a GB18030 cell pasted in, a character cut
short), some built so that they still read as GB18030.

    python3 tests/e2e/csvfiles/samples.py [path/to/chanjiao]

writes them to a temporary directory, runs `chanjiao --dry-run import` on
each and prints, per kind of sample, what the client made of it.
test_csv_files.py runs the same and checks the verdicts.
"""
import collections
import os
import subprocess
import sys
import tempfile

SCH = ("金华职业技术学院 浙江师范大学 嘉兴职业技术学院 杭州职业技术学院 宁波职业技术学院 "
       "温州职业技术学院 浙江机电职业技术学院 浙江工贸职业技术学院 义乌工商职业技术学院 "
       "金华市技师学院 永康市职业技术学校 东阳市第二职业技术学校 深圳职业技术学院 "
       "天津职业大学 无锡职业技术学院 成都航空职业技术学院 山东商业职业技术学院 "
       "湖南铁道职业技术学院 重庆电子工程职业学院 广州番禺职业技术学院 "
       "南京工业职业技术大学 北京电子科技职业学院 武汉职业技术学院 陕西工业职业技术学院 "
       "黑龙江建筑职业技术学院").split()
ENT = ("浙江吉利控股集团有限公司 万向集团公司 横店集团控股有限公司 浙江中控技术股份有限公司 "
       "杭州海康威视数字技术股份有限公司 比亚迪股份有限公司 宁德时代新能源科技股份有限公司 "
       "格力电器股份有限公司 美的集团股份有限公司 三一重工股份有限公司 "
       "徐工集团工程机械股份有限公司 中国中车股份有限公司 潍柴动力股份有限公司 "
       "浙江正泰电器股份有限公司 金华市某机床厂 永康市五金工具有限公司 华为技术有限公司 "
       "阿里巴巴集团 京东物流股份有限公司 顺丰速运有限公司 海尔智家股份有限公司").split()
TIT = ("数控操作工 汽车装配工 电工 焊工 光伏运维 仓储管理员 客服专员 会计助理 护理员 "
       "电子商务运营 行政助理 门店店员 软件工程师 机构设计 质量管理 采购专员 物流员 厨师 "
       "美发师 汽车维修工 婺城区 磐安县 衢州市 丽水市 嵊州市 缙云县 鄞州区 瓯海区 舟山市 "
       "乐清市").split()
TSCH = ("國立臺灣科技大學 國立臺北科技大學 國立高雄科技大學 明志科技大學 南臺科技大學 "
        "崑山科技大學 龍華科技大學 香港理工大學 香港專業教育學院 職業訓練局 國立勤益科技大學 "
        "國立雲林科技大學 臺灣大學 國立成功大學 國立清華大學 國立交通大學 中國文化大學 "
        "輔仁大學 淡江大學 逢甲大學 東海大學 中原大學 元智大學 義守大學 長庚大學 "
        "高雄醫學大學 臺北醫學大學 中國醫藥大學 實踐大學 銘傳大學 世新大學 大同大學 "
        "華夏科技大學 建國科技大學 樹德科技大學 正修科技大學 遠東科技大學").split()
TENT = ("台灣積體電路製造股份有限公司 鴻海精密工業股份有限公司 聯發科技股份有限公司 "
        "台達電子工業股份有限公司 中華電信股份有限公司 長榮海運股份有限公司 統一企業股份有限公司 "
        "華碩電腦股份有限公司 宏碁股份有限公司 廣達電腦股份有限公司 台灣塑膠工業股份有限公司 "
        "中國鋼鐵股份有限公司 南亞塑膠工業股份有限公司 富邦金融控股股份有限公司 "
        "國泰人壽保險股份有限公司 統一超商股份有限公司 和碩聯合科技股份有限公司 "
        "緯創資通股份有限公司 英業達股份有限公司 仁寶電腦工業股份有限公司 光寶科技股份有限公司 "
        "友達光電股份有限公司 群創光電股份有限公司 日月光投資控股股份有限公司 "
        "聯華電子股份有限公司 華邦電子股份有限公司 旺宏電子股份有限公司 研華股份有限公司 "
        "上銀科技股份有限公司 巨大機械工業股份有限公司").split()
TTIT = ("數控操作員 電機工程師 技術員 倉儲管理員 會計助理 護理師 業務專員 維修技師 行政助理 "
        "門市人員 軟體工程師 機構設計 品質管理 採購專員 物流人員 廚師 美髮設計師 "
        "汽車維修技術員").split()
JA = "東京工業大学 株式会社トヨタ自動車 ソニーグループ株式会社 大阪府立大学 日立製作所".split()
KO = "서울대학교 삼성전자 현대자동차 엘지전자 한국폴리텍대학 부산대학교".split()
LAT = "Café Zürich;Müller GmbH;Société Générale;Crédit Agricole;Ørsted A/S".split(";")

# what the client must make of each kind of sample
EXPECT = {
    "utf8": {"read"}, "gb": {"read"}, "gb-trad": {"read", "unsure"},
    "big5": {"big5"}, "other": {"other", "notgb"}, "u16nobom": {"u16nobom"},
    "stray": {"stray"},
}


def iconv(text, enc):
    p = subprocess.run(["iconv", "-f", "UTF-8", "-t", enc],
                       input=text.encode("utf-8"), capture_output=True,
                       check=True)
    return p.stdout


def schools(names, n, head="id,name,level,region"):
    rows = [head] + ["S%d,%s,higher,330702" % (i + 1, names[i % len(names)])
                     for i in range(n)]
    return "\r\n".join(rows) + "\r\n"


def mostly_ascii(words, n, every):
    rows = ["id,enterprise_id,title,kind,headcount,majors"]
    rows += ["P%d,E1,%s,job,%d,46" % (i + 1, words[i % len(words)] if i % every == 0
                                      else "worker%d" % i, 1 + i % 30)
             for i in range(n)]
    return "\r\n".join(rows) + "\r\n"


def samples():
    """(truth, kind, bytes) of every sample."""
    out = []
    for n in (1, 2, 3, 5, 10, 30, 100, 1000):
        for names in (SCH, ENT):
            t = schools(names, n)
            out += [("utf8", "school", t.encode()),
                    ("gb", "school", iconv(t, "GB18030"))]
            out.append(("u16nobom", "school",
                        iconv(t.replace(",", "\t"), "UTF-16LE")))
        for names in (TSCH, TENT):
            t = schools(names, n)
            out += [("big5", "school", iconv(t, "BIG5")),
                    ("gb-trad", "school", iconv(t, "GB18030"))]
    for n, every in ((20, 20), (50, 25), (50, 50), (200, 100), (1000, 500),
                     (1000, 1000)):
        out.append(("gb", "posting", iconv(mostly_ascii(TIT, n, every),
                                           "GB18030")))
        out.append(("big5", "posting", iconv(mostly_ascii(TTIT, n, every),
                                             "BIG5")))
    for w in SCH + ENT + TIT:                  # one name in a short file
        out.append(("gb", "school", iconv(schools([w], 1), "GB18030")))
        out.append(("gb", "posting", iconv(mostly_ascii([w], 30, 30),
                                           "GB18030")))
    for w in TSCH + TENT + TTIT:
        for truth, enc in (("big5", "BIG5"), ("gb-trad", "GB18030")):
            out.append((truth, "school", iconv(schools([w], 1), enc)))
            out.append((truth, "posting", iconv(mostly_ascii([w], 30, 30), enc)))
    for n in (1, 5, 30):
        for names, encs in ((JA, ("SHIFT_JIS", "EUC-JP")), (KO, ("EUC-KR",)),
                            (LAT, ("ISO-8859-1", "WINDOWS-1252"))):
            for enc in encs:
                out.append(("other", "school", iconv(schools(names, n), enc)))
    even = [w for w in SCH + ENT if len(w) % 2 == 0]
    for n in (1, 2, 3, 10, 100, 1000):
        for names in (SCH, even):
            lines = schools(names, n).encode().split(b"\r\n")
            for stray in (b"\xe9", b"Caf\xe9s", b"\xa0x", b"\x93ok\x94",
                          "（南湖校区）".encode("gb18030")):
                spoiled = list(lines)
                spoiled[1] = spoiled[1].replace(b",higher", stray + b",higher", 1)
                out.append(("stray", "school", b"\r\n".join(spoiled)))
        cut = schools(SCH, n).encode().rstrip(b"\r\n") + b",\xe5\x8d"
        out.append(("stray", "school", cut))
    return out


VERDICTS = (("looks like Big5", "big5"), ("looks like UTF-16", "u16nobom"),
            ("looks like", "other"), ("not valid UTF-8", "stray"),
            ("neither UTF-8 nor GB18030", "notgb"), ("cannot be told", "unsure"),
            ("UTF-8 text (", "u8cell"))


def verdict(cli, path, kind, host=()):
    p = subprocess.run([cli, *host, "--dry-run", "import", kind, path],
                       capture_output=True)
    err = p.stderr.decode("utf-8", "replace")
    for key, v in VERDICTS:
        if key in err:
            return v
    return "read"


def measure(cli, host=()):
    """{(truth, verdict): count}: each file dry-run through import.csv of
    the daemon at host (["--host", "127.0.0.1:PORT"]; () the default)."""
    got = collections.Counter()
    with tempfile.TemporaryDirectory() as d:
        for i, (truth, kind, data) in enumerate(samples()):
            path = os.path.join(d, "%d.csv" % i)
            with open(path, "wb") as f:
                f.write(data)
            got[(truth, verdict(cli, path, kind, host))] += 1
    return got


def double_bytes(data):
    """Characters of two or more bytes, as GB18030 and Big5 count them."""
    n, i = 0, 0
    while i < len(data):
        if data[i] < 0x80:
            i += 1
            continue
        n += 1
        i += 4 if i + 1 < len(data) and 0x30 <= data[i + 1] <= 0x39 else 2
    return n


def uchardet_alone():
    """{truth: {answer: [count, fewest chars, most chars]}}: what
    libuchardet answers by itself."""
    import ctypes
    lib = ctypes.CDLL("libuchardet.so.0")
    lib.uchardet_new.restype = ctypes.c_void_p
    lib.uchardet_get_charset.restype = ctypes.c_char_p
    lib.uchardet_get_charset.argtypes = [ctypes.c_void_p]
    lib.uchardet_handle_data.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                         ctypes.c_size_t]
    lib.uchardet_data_end.argtypes = [ctypes.c_void_p]
    lib.uchardet_delete.argtypes = [ctypes.c_void_p]
    out = collections.defaultdict(dict)
    for truth, kind, data in samples():
        ud = lib.uchardet_new()
        lib.uchardet_handle_data(ud, data, len(data))
        lib.uchardet_data_end(ud)
        cs = lib.uchardet_get_charset(ud).decode() or "(none)"
        lib.uchardet_delete(ud)
        ch = double_bytes(data)
        e = out[truth].setdefault(cs, [0, ch, ch])
        e[0] += 1
        e[1] = min(e[1], ch)
        e[2] = max(e[2], ch)
    return out


if __name__ == "__main__":
    cli = sys.argv[1] if len(sys.argv) > 1 else "build/chanjiao"
    print("libuchardet alone (answer: files, fewest-most non-ASCII chars)")
    for truth, answers in sorted(uchardet_alone().items()):
        print("  %-9s %s" % (truth, ", ".join(
            "%s %d (%d-%d)" % (cs, v[0], v[1], v[2])
            for cs, v in sorted(answers.items(), key=lambda a: -a[1][0]))))
    print("chanjiao's verdicts")
    table = measure(cli)
    for (truth, v), n in sorted(table.items()):
        mark = "" if v in EXPECT[truth] else "   <-- unexpected"
        print("  %-9s %-9s %5d%s" % (truth, v, n, mark))
