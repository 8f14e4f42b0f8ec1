/*
 * pages.js — the console's pages (zh-CN), one function each, registered
 * with CJ.route.  Every value from the store goes into the page as text
 * (CJ.h), never as HTML.  Headings and numbers are the CLI's
 * (cli/report.c, cli/query.c, cli/plans.c, cli/ref.c).
 */
'use strict';

(function () {
  const CJ = window.CJ;
  const h = CJ.h, fmt = CJ.fmt, W = CJ.words;

  const postingHref = id => '/posting/' + CJ.path(id) + '/candidates';
  const specialtyHref = id => '/specialty/' + CJ.path(id) + '/openings';
  const fairHref = id => '/fair/' + CJ.path(id);
  const nameOf = (m, id, key) => { const r = m.get(id); return r ? r[key || 'name'] : ''; };
  const sum = (xs, f) => xs.reduce((a, x) => a + Number(f(x) || 0), 0);
  const byStr = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  const num = v => (v === undefined || v === null || v === '' ? undefined : Number(v));

  /* The majors cell as the CLI shows it: "4601 机械设计制造类；66 装备制造大类",
   * "任何专业" for []. */
  function majorsText(majors) {
    if (!majors || !majors.length) return '任何专业';
    return majors.map(m => {
      const n = m.length <= 4 ? CJ.majorName(m) : '';
      return n ? m + ' ' + n : m;
    }).join('；');
  }

  function section(title, id) {
    return h('section', { class: 'block', id: id }, h('h2', null, title));
  }

  /* A button that shows what is behind a number, in a row under its own. */
  function expander(label, cls, load) {
    const b = h('button', { type: 'button', class: 'link num-link ' + (cls || '') }, label);
    b.addEventListener('click', async () => {
      const tr = b.closest('tr');
      const key = cls;
      const next = tr.nextElementSibling;
      if (next && next.classList.contains('detail')) {
        const same = next.getAttribute('data-key') === key;
        next.remove();
        if (same) return;
      }
      const cell = h('td', { colspan: tr.children.length });
      const row = h('tr', { class: 'detail', 'data-key': key }, cell);
      tr.after(row);
      cell.appendChild(CJ.loading('正在读取…'));
      try {
        const content = await load();
        CJ.clear(cell).appendChild(content);
      } catch (e) {
        CJ.clear(cell);
        CJ.fail(cell, e);
      }
    });
    return b;
  }

  /* ------------------------------------------------------------ / */

  CJ.route(/^\/$/, 'start', async function (app) {
    CJ.title('首页');
    const q = CJ.query();
    app.appendChild(h('h1', null, '产教匹配控制台'));
    const info = h('p', { class: 'muted', id: 'counts' });
    app.appendChild(info);
    CJ.api('system.info', {}).then(r => {
      const c = r.counts;
      info.textContent = '库中：学校 ' + fmt.int(c.schools) + ' 所，专业点 ' + fmt.int(c.specialties) +
        ' 个，企业 ' + fmt.int(c.enterprises) + ' 家，岗位 ' + fmt.int(c.postings) + ' 个，双选会 ' +
        fmt.int(c.fairs) + ' 场，学徒项目 ' + fmt.int(c.programs) + ' 个，学生 ' + fmt.int(c.students) +
        ' 人（chanjiaod ' + r.version + '）';
    }).catch(() => {});

    const fairs = section('双选会', 'fairs');
    app.appendChild(fairs);
    try {
      const r = await CJ.api('fair.list', { limit: 100 });
      if (!r.items.length) fairs.appendChild(h('p', { class: 'muted' }, '还没有双选会。请先在“导入”页或用命令行 chanjiao import 导入。'));
      else fairs.appendChild(CJ.table(
        [{ t: '双选会' }, { t: '日期' }, { t: '地区' }, { t: '参会学校', num: true }, { t: '参会企业', num: true }, { t: '展位场次' }, { t: '' }],
        r.items.map(f => [CJ.named(f.name, f.id, fairHref(f.id)), f.date, CJ.region(f.region),
          fmt.int(f.school_ids.length), fmt.int(f.enterprise_ids.length),
          f.sessions.map(s => s.id + '（' + fmt.int(s.booths) + '）').join('、'),
          h('span', { class: 'actions' }, h('a', { href: fairHref(f.id) }, '供需概览'), ' ',
            h('a', { href: fairHref(f.id) + '/booths' }, '展位安排'))]), 'fair-list'));
      if (r.next) fairs.appendChild(h('p', { class: 'muted' }, '只列出前 100 场。'));
    } catch (e) { CJ.fail(fairs, e); }

    const search = section('查找岗位与专业点', 'search');
    app.appendChild(search);
    search.appendChild(CJ.form([
      { name: 'q', label: '关键词或编号', value: q.q, placeholder: '如 数控、E330702001-01', size: 28 },
      { name: 'by', label: '查找', value: q.by || 'title', options: [['title', '岗位名称包含'], ['posting', '岗位编号'],
        ['enterprise', '企业编号的岗位'], ['specialty', '专业点名称包含'], ['specialty_id', '专业点编号']] },
    ], '查找', '/'));
    if (q.q) {
      const out = h('div', { id: 'search-results' });
      search.appendChild(out);
      await searchRecords(out, q.q, q.by || 'title');
    }

    const pages = section('功能', 'pages');
    app.appendChild(pages);
    pages.appendChild(h('ul', { class: 'tiles' }, [
      ['/balance', '供需分布', '各专业类在各市的毕业生与岗位需求，按岗位/毕业生着色'],
      ['/posting/-/candidates', '岗位找专业', '为一个岗位（或临时填写的需求）排出可供毕业生的专业点'],
      ['/specialty/-/openings', '专业找岗位', '为一个专业点排出适合的岗位'],
      ['/orderclass', '订单班', '规划哪家企业为哪个专业开多大的订单班'],
      ['/apprenticeship', '学徒制', '学生与学徒项目的稳定匹配'],
      ['/import', '导入', '上传 CSV：先预检，逐行列出问题，确认后导入'],
    ].map(t => h('li', null, h('a', { href: t[0] }, h('strong', null, t[1]), h('span', null, t[2]))))));
  });

  /* Search results: postings by title~, id or enterprise; specialties. */
  async function searchRecords(out, text, by) {
    out.appendChild(CJ.loading('正在查找…'));
    try {
      let items;
      const isSpec = by === 'specialty' || by === 'specialty_id';
      if (by === 'posting' || by === 'specialty_id') {
        const kind = isSpec ? 'specialty' : 'posting';
        const m = await CJ.records(kind, [text]);
        items = m.get(text) ? [m.get(text)] : [];
      } else {
        const kind = isSpec ? 'specialty' : 'posting';
        const filter = by === 'enterprise' ? { enterprise_id: text } : isSpec ? { 'name~': text } : { 'title~': text };
        const r = await CJ.api(kind + '.list', { limit: 100, filter: filter });
        items = r.items;
      }
      CJ.clear(out);
      if (!items.length) { out.appendChild(h('p', { class: 'muted' }, '没有找到。')); return; }
      if (isSpec) {
        const schools = await CJ.records('school', items.map(s => s.school_id));
        out.appendChild(CJ.table([{ t: '专业点' }, { t: '学校' }, { t: '专业' }, { t: '' }],
          items.map(s => [CJ.named(s.name, s.id, specialtyHref(s.id)),
            CJ.named(nameOf(schools, s.school_id), s.school_id), s.major_code,
            h('a', { href: specialtyHref(s.id) }, '适合岗位')]), 'results'));
      } else {
        const ents = await CJ.records('enterprise', items.map(p => p.enterprise_id));
        out.appendChild(CJ.table([{ t: '岗位' }, { t: '企业' }, { t: '类型' }, { t: '招聘人数', num: true }, { t: '专业要求' }, { t: '' }],
          items.map(p => [CJ.named(p.title, p.id, postingHref(p.id)),
            CJ.named(nameOf(ents, p.enterprise_id), p.enterprise_id), W.kind[p.kind] || p.kind,
            fmt.int(p.headcount), majorsText(p.majors), h('a', { href: postingHref(p.id) }, '候选专业')]), 'results'));
      }
      if (items.length >= 100) out.appendChild(h('p', { class: 'muted' }, '只列出前 100 个。'));
    } catch (e) {
      CJ.clear(out);
      if (e.code === -32602 && /~/.test(String(e.data && e.data.field)))
        out.appendChild(h('p', { class: 'muted' }, '这个 chanjiaod 还不支持按名称包含查找；请按编号查找。'));
      CJ.fail(out, e);
    }
  }

  /* ------------------------------------------------- /fair/<id> */

  CJ.route(/^\/fair\/([^/]+)$/, 'start', async function (app, fairId) {
    const q = CJ.query();
    const fair = await CJ.api('fair.get', { id: fairId });
    CJ.title(fair.name);
    const year = q.grad_year ? Number(q.grad_year) : CJ.gradYear(fair.date);
    const params = { fair_id: fairId };
    if (q.grad_year) params.grad_year = Number(q.grad_year);
    if (q.min_score) params.min_score = Number(q.min_score);
    if (q.kind) params.kinds = [q.kind];
    const top = q.top ? Math.max(1, Number(q.top)) : 10;

    app.appendChild(h('h1', null, '双选会 ', CJ.named(fair.name, fair.id)));
    app.appendChild(h('p', { class: 'actions no-print' }, h('a', { href: fairHref(fairId) + '/booths' }, '展位安排'), ' · ',
      h('a', { href: fairHref(fairId) + '/booths?view=signin' }, '签到表'), ' · ',
      h('a', { href: CJ.withQuery('/balance', { fair: fairId }) }, '按专业类的供需分布')));
    app.appendChild(CJ.form([
      { name: 'grad_year', label: '毕业年份', type: 'number', value: q.grad_year, placeholder: String(year), min: 1000, max: 9999 },
      { name: 'min_score', label: '最低匹配度', type: 'number', value: q.min_score, placeholder: '0', min: 0, max: 1, step: 'any' },
      { name: 'kind', label: '岗位类型', value: q.kind || '', options: [['', '全部']].concat(Object.keys(W.kind).map(k => [k, W.kind[k]])) },
      { name: 'top', label: '重点企业数', type: 'number', value: q.top, placeholder: '10', min: 1, max: 100 },
    ], '重新计算'));
    const head = h('div', { id: 'fair-head' });
    app.appendChild(head);
    const wait = CJ.loading('正在计算分配方案（fair.allocate）…');
    app.appendChild(wait);
    const alloc = await CJ.api('fair.allocate', params);
    wait.remove();

    const dirName = {};
    for (const d of fair.directions) dirName[d.id] = d.name;
    const unfilled = alloc.unfilled.slice().sort((a, b) => (b.open - a.open) || byStr(a.posting_id, b.posting_id));
    const open = sum(unfilled, u => u.open);
    head.appendChild(CJ.kv([
      ['日期', fair.date],
      fair.region ? ['地区', CJ.region(fair.region)] : null,
      ['毕业年份', String(year)],
      ['参会', '学校 ' + fair.school_ids.length + ' 所，企业 ' + fair.enterprise_ids.length + ' 家'],
      ['安置', h('span', { id: 'placed-line' }, fmt.int(alloc.placed) + ' 名毕业生（目标值 ' + fmt.score(alloc.objective) + '）；' +
        unfilled.length + ' 个岗位尚有 ' + fmt.int(open) + ' 个空缺')],
      ['求解耗时', fmt.ms(alloc.solve_ms)],
    ]));

    /* lazily: the explain arcs (demand, reachable) and the supply rows */
    let explained = null;
    const arcs = () => explained || (explained = CJ.api('fair.allocate', Object.assign({ explain: true }, params)).then(r => r.arcs));
    let specs = null;
    const specialties = () => specs || (specs = Promise.all(fair.school_ids.map(s => CJ.listAll('specialty', { school_id: s })))
      .then(ls => [].concat.apply([], ls)));

    async function postingRows(list, extra) {
      const posts = await CJ.records('posting', list.map(x => x.posting_id));
      const ents = await CJ.records('enterprise', Array.from(posts.values()).filter(p => p).map(p => p.enterprise_id));
      return list.map(x => {
        const p = posts.get(x.posting_id) || {};
        return [CJ.named(p.title, x.posting_id, postingHref(x.posting_id)),
          CJ.named(nameOf(ents, p.enterprise_id), p.enterprise_id), W.kind[p.kind] || p.kind || '']
          .concat(extra(x, p));
      });
    }
    function detail(title, cols, rows, total) {
      const box = h('div', { class: 'detail-box' }, h('h3', null, title));
      if (!rows.length) box.appendChild(CJ.none());
      else box.appendChild(CJ.table(cols, rows, 'small'));
      if (total !== undefined) box.appendChild(h('p', { class: 'muted' }, '合计 ' + total));
      return box;
    }
    const showSupply = d => async () => {
      const all = await specialties();
      const mine = all.filter(s => {
        const first = fair.directions.find(x => x.majors.some(m => s.major_code.indexOf(m) === 0));
        return first && first.id === d.direction_id;
      });
      const schools = await CJ.records('school', mine.map(s => s.school_id));
      const avail = s => Number((s.cohorts || {})[String(year)] || 0);
      return detail(dirName[d.direction_id] + '：供给毕业生的专业点（' + year + ' 届）',
        [{ t: '专业点' }, { t: '学校' }, { t: '专业代码' }, { t: '可供毕业生', num: true }],
        mine.map(s => [CJ.named(s.name, s.id, specialtyHref(s.id)), CJ.named(nameOf(schools, s.school_id), s.school_id),
          s.major_code, fmt.int(avail(s))]), fmt.int(sum(mine, avail)));
    };
    const showAllocated = d => async () => {
      const list = alloc.allocations.filter(a => a.direction_id === d.direction_id)
        .sort((a, b) => (b.count - a.count) || byStr(a.posting_id, b.posting_id));
      return detail(dirName[d.direction_id] + '：分配到的岗位',
        [{ t: '岗位' }, { t: '企业' }, { t: '类型' }, { t: '人数', num: true }, { t: '匹配度', num: true }],
        await postingRows(list, a => [fmt.int(a.count), fmt.score(a.score)]), fmt.int(sum(list, a => a.count)));
    };
    const bestArcs = async () => {
      const order = {};
      fair.directions.forEach((x, i) => { order[x.id] = i; });
      const best = new Map();
      for (const a of await arcs()) {
        const b = best.get(a.posting_id);
        const s = Math.round(a.score * 1e9), bs = b ? Math.round(b.score * 1e9) : -1;
        if (!b || s > bs || (s === bs && order[a.direction_id] < order[b.direction_id])) best.set(a.posting_id, a);
      }
      return best;
    };
    const showDemand = d => async () => {
      const best = await bestArcs();
      const list = Array.from(best.values()).filter(a => a.direction_id === d.direction_id);
      const rows = await postingRows(list, (a, p) => [fmt.int(p.headcount), fmt.score(a.score)]);
      const posts = await CJ.records('posting', list.map(a => a.posting_id));
      return detail(dirName[d.direction_id] + '：以本方向为最佳去向的岗位',
        [{ t: '岗位' }, { t: '企业' }, { t: '类型' }, { t: '招聘人数', num: true }, { t: '匹配度', num: true }],
        rows, fmt.int(sum(list, a => (posts.get(a.posting_id) || {}).headcount)));
    };
    const showReachable = d => async () => {
      const list = (await arcs()).filter(a => a.direction_id === d.direction_id)
        .sort((a, b) => (b.score - a.score) || byStr(a.posting_id, b.posting_id));
      const rows = await postingRows(list, (a, p) => [fmt.int(p.headcount), fmt.score(a.score)]);
      const posts = await CJ.records('posting', list.map(a => a.posting_id));
      return detail(dirName[d.direction_id] + '：可对接的岗位（任一专业点可供给）',
        [{ t: '岗位' }, { t: '企业' }, { t: '类型' }, { t: '招聘人数', num: true }, { t: '匹配度', num: true }],
        rows, fmt.int(sum(list, a => (posts.get(a.posting_id) || {}).headcount)));
    };

    const dirs = section('各方向：毕业生、岗位需求、已分配', 'directions');
    app.appendChild(dirs);
    dirs.appendChild(h('p', { class: 'muted no-print' }, '点击数字可查看其背后的专业点或岗位。'));
    const layout = h('div', { class: 'dir-layout' });
    dirs.appendChild(layout);
    layout.appendChild(CJ.table(
      [{ t: '方向' }, { t: '毕业生', num: true }, { t: '岗位需求', num: true }, { t: '可对接岗位', num: true },
        { t: '已分配', num: true }, { t: '岗位/毕业生', num: true }],
      alloc.directions.map(d => ({ rowCls: 'dir', cells: [
        CJ.named(dirName[d.direction_id], d.direction_id),
        expander(fmt.int(d.supply), 'supply', showSupply(d)),
        expander(fmt.int(d.demand), 'demand', showDemand(d)),
        d.reachable === undefined ? '' : expander(fmt.int(d.reachable), 'reachable', showReachable(d)),
        expander(fmt.int(d.allocated), 'allocated', showAllocated(d)),
        fmt.ratio(d.positions_per_graduate)] })), 'directions'));

    /* the chart: supply against demand per direction */
    const chartBox = h('div', { class: 'chart' });
    const canvas = h('canvas', { id: 'supply-demand', 'aria-label': '各方向毕业生与岗位需求', role: 'img' });
    chartBox.appendChild(canvas);
    layout.appendChild(chartBox);
    if (window.Chart) {
      new window.Chart(canvas, {
        type: 'bar',
        data: {
          labels: alloc.directions.map(d => dirName[d.direction_id] || d.direction_id),
          datasets: [
            { label: '毕业生', data: alloc.directions.map(d => d.supply), backgroundColor: '#2563eb' },
            { label: '岗位需求', data: alloc.directions.map(d => d.demand), backgroundColor: '#f59e0b' },
            { label: '已分配', data: alloc.directions.map(d => d.allocated), backgroundColor: '#10b981' },
          ],
        },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
          plugins: { legend: { position: 'top' } },
          indexAxis: 'y', scales: { y: { ticks: { autoSkip: false } }, x: { beginAtZero: true, ticks: { callback: v => String(v) } } } },
      });
    } else {
      chartBox.appendChild(h('p', { class: 'muted' }, '图表库未加载。'));
    }

    /* top enterprises per direction, by graduates allocated */
    const topSec = section('各方向重点企业（按分配毕业生数，前 ' + top + ' 家）', 'top');
    app.appendChild(topSec);
    const posts = await CJ.records('posting', alloc.allocations.map(a => a.posting_id));
    const byDir = {};
    for (const a of alloc.allocations) {
      const p = posts.get(a.posting_id);
      if (!p) continue;
      const t = byDir[a.direction_id] || (byDir[a.direction_id] = new Map());
      t.set(p.enterprise_id, (t.get(p.enterprise_id) || 0) + a.count);
    }
    const topLists = {};
    const entIds = [];
    for (const d of alloc.directions) {
      const t = Array.from((byDir[d.direction_id] || new Map()).entries())
        .sort((a, b) => (b[1] - a[1]) || byStr(a[0], b[0])).slice(0, top);
      topLists[d.direction_id] = t;
      t.forEach(x => entIds.push(x[0]));
    }
    const ents = await CJ.records('enterprise', entIds);
    topSec.appendChild(h('div', { class: 'cards' }, alloc.directions.map(d => h('div', { class: 'card' },
      h('h3', null, CJ.named(dirName[d.direction_id], d.direction_id)),
      topLists[d.direction_id].length ? CJ.table([{ t: '名次', num: true }, { t: '企业' }, { t: '已分配', num: true }],
        topLists[d.direction_id].map((x, i) => [String(i + 1), CJ.named(nameOf(ents, x[0]), x[0]), fmt.int(x[1])]), 'small')
        : CJ.none()))));

    /* unfilled postings */
    const unSec = section('未满岗位：' + unfilled.length + ' 个岗位，' + fmt.int(open) + ' 个空缺（按空缺排序）', 'unfilled');
    app.appendChild(unSec);
    const unBox = h('div');
    unSec.appendChild(unBox);
    const showUnfilled = async n => {
      const list = unfilled.slice(0, n);
      const rows = await postingRows(list, (u, p) => [fmt.int(p.headcount), fmt.int(u.open)]);
      CJ.clear(unBox).appendChild(unfilled.length ? CJ.table([{ t: '岗位' }, { t: '企业' }, { t: '类型' },
        { t: '招聘人数', num: true }, { t: '空缺', num: true }], rows, 'unfilled') : CJ.none());
      if (n < unfilled.length) {
        const more = h('button', { type: 'button', class: 'more' }, '显示全部 ' + unfilled.length + ' 个');
        more.addEventListener('click', () => { more.disabled = true; showUnfilled(unfilled.length).catch(e => CJ.fail(unBox, e)); });
        unBox.appendChild(more);
      }
    };
    await showUnfilled(top);
  });

  /* ------------------------------------------- /fair/<id>/booths */

  CJ.route(/^\/fair\/([^/]+)\/booths$/, 'start', async function (app, fairId) {
    const q = CJ.query();
    const signin = q.view === 'signin';
    const [fair, sched] = await Promise.all([CJ.api('fair.get', { id: fairId }), CJ.api('fair.schedule', { fair_id: fairId })]);
    CJ.title((signin ? '签到表 · ' : '展位安排 · ') + fair.name);
    const ents = await CJ.records('enterprise', sched.slots.map(s => s.enterprise_id)
      .concat(sched.short.map(s => s.enterprise_id), sched.unscheduled));
    const chainOf = id => { const e = ents.get(id); return e && e.chains && e.chains.length ? e.chains[0] : ''; };
    const sessOrder = {};
    fair.sessions.forEach((s, i) => { sessOrder[s.id] = i; });
    const slots = sched.slots.slice().sort((a, b) => (sessOrder[a.session_id] - sessOrder[b.session_id]) || (a.booth - b.booth));

    app.appendChild(h('h1', { class: 'no-print' }, signin ? '签到表 ' : '展位安排 ', CJ.named(fair.name, fair.id, fairHref(fair.id))));
    const bar = h('p', { class: 'actions no-print' },
      signin ? h('a', { href: fairHref(fairId) + '/booths' }, '展位图') : h('a', { href: fairHref(fairId) + '/booths?view=signin' }, '签到表'),
      ' · ', h('a', { href: fairHref(fairId) }, '供需概览'), ' · ');
    const print = h('button', { type: 'button', id: 'print' }, '打印（A4）');
    print.addEventListener('click', () => window.print());
    bar.appendChild(print);
    app.appendChild(bar);
    app.appendChild(h('p', { class: 'muted no-print' }, fair.date + '，' + slots.length + ' 个展位场次，相关度 ' + fmt.score(sched.score) +
      (signin ? '' : '；展位按企业的主要产业链编号，同一产业链相邻。打印时每个场次一页。')));

    if (signin) {
      const rows = [];
      const seen = new Set();
      for (const s of slots) {
        if (seen.has(s.enterprise_id)) continue;
        seen.add(s.enterprise_id);
        const where = slots.filter(x => x.enterprise_id === s.enterprise_id).map(x => x.session_id + '-' + x.booth).join('、');
        rows.push([String(rows.length + 1), where, CJ.named(nameOf(ents, s.enterprise_id), s.enterprise_id), '', '', '']);
      }
      const sheet = h('section', { class: 'signin' },
        h('h2', { class: 'print-title' }, fair.name + ' 签到表（' + fair.date + '）'),
        CJ.table([{ t: '序号', num: true }, { t: '场次与展位' }, { t: '企业名称' }, { t: '签到人', cls: 'blank' },
          { t: '联系电话', cls: 'blank' }, { t: '签到时间', cls: 'blank' }], rows, 'signin-sheet'));
      app.appendChild(sheet);
    } else {
      for (const sess of fair.sessions) {
        const mine = slots.filter(s => s.session_id === sess.id);
        const box = h('section', { class: 'session', id: 'session-' + sess.id });
        const dirs = sess.directions && sess.directions.length ? sess.directions.map(id => {
          const d = fair.directions.find(x => x.id === id);
          return d ? d.name : id;
        }).join('、') : '全部方向';
        box.appendChild(h('h2', null, '场次 ' + sess.id + '　' + sess.start.replace('T', ' ') + '–' + sess.end.slice(11) +
          '　' + mine.length + '/' + sess.booths + ' 个展位'));
        box.appendChild(h('p', { class: 'muted dirs' }, '方向：' + dirs));
        let group = null, grid = null;
        for (const s of mine) {
          const c = chainOf(s.enterprise_id);
          if (group !== c || !grid) {
            group = c;
            grid = h('div', { class: 'booths' });
            box.appendChild(h('div', { class: 'chain' }, h('h3', null, c || '（未填产业链）'), grid));
          }
          grid.appendChild(h('div', { class: 'booth', title: s.enterprise_id },
            h('span', { class: 'no' }, String(s.booth)), h('span', { class: 'ent' }, nameOf(ents, s.enterprise_id) || s.enterprise_id)));
        }
        if (!mine.length) box.appendChild(CJ.none());
        app.appendChild(box);
      }
    }

    const shortSec = section('展位不足的企业', 'short');
    shortSec.classList.add('no-print');
    shortSec.appendChild(sched.short.length ? CJ.table([{ t: '企业' }, { t: '要求展位', num: true }, { t: '已安排', num: true }, { t: '说明' }],
      sched.short.map(s => [CJ.named(nameOf(ents, s.enterprise_id), s.enterprise_id), fmt.int(s.wanted), fmt.int(s.got),
        '要求 ' + fmt.int(s.wanted) + ' 个展位，安排 ' + fmt.int(s.got) + ' 个']), 'short') : CJ.none());
    app.appendChild(shortSec);
    const unSec = section('未安排展位的企业', 'unscheduled');
    unSec.classList.add('no-print');
    unSec.appendChild(sched.unscheduled.length ? CJ.table([{ t: '企业' }],
      sched.unscheduled.map(id => [CJ.named(nameOf(ents, id), id)])) : CJ.none());
    app.appendChild(unSec);
  });

  /* ------------------------------------------ scoring result rows */

  function factorCols() {
    return W.factors.map(f => ({ t: f[1], cls: 'factor' }));
  }
  function factorCells(why) {
    return W.factors.map(f => ({ v: CJ.bar(why[f[0]], f[1]), cls: 'factor' }));
  }

  /* ------------------------------------ /posting/<id>/candidates */

  CJ.route(/^\/posting\/([^/]+)\/candidates$/, 'candidates', async function (app, postingId) {
    const q = CJ.query();
    const adhoc = q.majors !== undefined;
    CJ.title('岗位找专业');
    app.appendChild(h('h1', null, '岗位找专业：候选专业点'));

    const find = section('查找岗位', 'find');
    app.appendChild(find);
    find.appendChild(CJ.form([
      { name: 'q', label: '岗位编号、名称或企业编号', value: q.q, size: 28 },
      { name: 'by', label: '查找', value: q.by || 'posting', options: [['posting', '岗位编号'], ['title', '岗位名称包含'], ['enterprise', '企业编号的岗位']] },
    ], '查找'));
    if (q.q) {
      const out = h('div', { id: 'search-results' });
      find.appendChild(out);
      await searchRecords(out, q.q, q.by || 'posting');
    }

    const year = q.grad_year ? Number(q.grad_year) : CJ.gradYear(null);
    const params = { k: q.k ? Number(q.k) : 20, grad_year: year };
    if (q.region) params.region_prefix = q.region;
    if (q.min_available) params.min_available = Number(q.min_available);
    const splitList = s => (s || '').split(/[,;，；、\s]+/).filter(x => x);

    const headBox = h('div', { id: 'posting-head' });
    if (adhoc) {
      const query = { majors: splitList(q.majors) };
      if (q.skills) query.skills = splitList(q.skills);
      if (q.chains) query.chains = splitList(q.chains);
      if (q.qregion) query.region = q.qregion;
      if (q.level) query.level = q.level;
      if (q.headcount) query.headcount = Number(q.headcount);
      params.query = query;
      headBox.appendChild(CJ.kv([['临时岗位', '专业要求 ' + majorsText(query.majors) +
        (query.skills ? '；技能 ' + query.skills.join('、') : '') + (query.chains ? '；产业链 ' + query.chains.join('、') : '') +
        (query.region ? '；地区 ' + CJ.region(query.region) : '') + (query.level ? '；层次 ' + (W.level[query.level] || query.level) : '') +
        (query.headcount !== undefined ? '；招聘 ' + query.headcount + ' 人' : '')], ['毕业年份', String(year)]]));
    } else if (postingId !== '-') {
      params.posting_id = postingId;
      const p = await CJ.api('posting.get', { id: postingId });
      const e = (await CJ.records('enterprise', [p.enterprise_id])).get(p.enterprise_id) || {};
      CJ.title(p.title + ' · 候选专业');
      headBox.appendChild(CJ.kv([
        ['岗位', CJ.named(p.title, p.id)], ['企业', CJ.named(e.name, p.enterprise_id)],
        ['类型', W.kind[p.kind] || p.kind], ['招聘人数', fmt.int(p.headcount)], ['专业要求', majorsText(p.majors)],
        p.skills ? ['技能', p.skills.join('、')] : null, p.level ? ['层次', W.level[p.level] + '及以上'] : null,
        ['地区', CJ.region(p.region || e.region)], ['毕业年份', h('span', { id: 'grad-year' }, String(year))],
      ]));
    }
    app.appendChild(headBox);

    if (adhoc || postingId !== '-') {
      const filt = CJ.form([
        { name: 'region', label: '学校地区', value: q.region, placeholder: '如 33、3307', size: 8 },
        { name: 'grad_year', label: '毕业年份', type: 'number', value: q.grad_year, placeholder: String(year), min: 1000, max: 9999 },
        { name: 'min_available', label: '至少可供', type: 'number', value: q.min_available, min: 0 },
        { name: 'k', label: '列出前', type: 'number', value: q.k, placeholder: '20', min: 1 },
      ], '筛选');
      if (adhoc) for (const k of ['majors', 'skills', 'chains', 'qregion', 'level', 'headcount'])
        if (q[k]) filt.appendChild(h('input', { type: 'hidden', name: k, value: q[k] }));
      app.appendChild(filt);
      const res = section('候选专业点', 'candidates');
      app.appendChild(res);
      const wait = CJ.loading();
      res.appendChild(wait);
      try {
        const r = await CJ.api('match.candidates', params);
        const schools = await CJ.records('school', r.items.map(i => i.school_id));
        const specs = await CJ.records('specialty', r.items.map(i => i.specialty_id));
        wait.remove();
        res.appendChild(r.items.length ? CJ.table(
          [{ t: '序号', num: true }, { t: '专业点' }, { t: '学校' }, { t: '层次' }, { t: '地区' }, { t: '专业' },
            { t: '可供毕业生', num: true }, { t: '匹配度', num: true }].concat(factorCols()),
          r.items.map((it, i) => {
            const s = schools.get(it.school_id) || {};
            return [String(i + 1), CJ.named(nameOf(specs, it.specialty_id), it.specialty_id, specialtyHref(it.specialty_id)),
              CJ.named(s.name, it.school_id), W.level[s.level] || s.level || '', CJ.region(s.region),
              it.major_code + (it.major_name ? ' ' + it.major_name : ''), fmt.int(it.available), fmt.score(it.score)]
              .concat(factorCells(it.why));
          }), 'scored') : CJ.none());
        res.appendChild(h('p', { class: 'muted', id: 'considered' }, '符合条件的专业点 ' + fmt.int(r.considered) + ' 个，列出前 ' + r.items.length + ' 个'));
      } catch (e) { wait.remove(); CJ.fail(res, e); }
    }

    const adSec = section('临时岗位（不存入库）', 'adhoc');
    app.appendChild(adSec);
    adSec.appendChild(h('p', { class: 'muted' }, '按专业代码前缀（如 4601、66、660103）和技能找专业点；多个值用逗号分隔，专业要求留空表示任何专业。'));
    adSec.appendChild(CJ.form([
      { name: 'majors', label: '专业要求', value: q.majors, placeholder: '4601,66', size: 16 },
      { name: 'skills', label: '技能', value: q.skills, placeholder: 'CNC,钳工', size: 16 },
      { name: 'chains', label: '产业链', value: q.chains, size: 12 },
      { name: 'qregion', label: '岗位地区', value: q.qregion, placeholder: '330702', size: 8 },
      { name: 'level', label: '最低层次', value: q.level || '', options: [['', '不限']].concat(Object.keys(W.level).map(k => [k, W.level[k]])) },
      { name: 'headcount', label: '招聘人数', type: 'number', value: q.headcount, min: 0 },
      { name: 'grad_year', label: '毕业年份', type: 'number', value: q.grad_year, placeholder: String(year) },
    ], '查找候选专业', '/posting/-/candidates'));
  });

  /* ------------------------------------ /specialty/<id>/openings */

  CJ.route(/^\/specialty\/([^/]+)\/openings$/, 'openings', async function (app, specId) {
    const q = CJ.query();
    CJ.title('专业找岗位');
    app.appendChild(h('h1', null, '专业找岗位：适合的岗位'));
    if (specId === '-') {
      const find = section('选择专业点', 'find');
      app.appendChild(find);
      find.appendChild(CJ.form([
        { name: 'q', label: '专业点编号或名称', value: q.q, size: 28 },
        { name: 'by', label: '查找', value: q.by || 'specialty', options: [['specialty', '专业点名称包含'], ['specialty_id', '专业点编号']] },
      ], '查找'));
      const out = h('div', { id: 'search-results' });
      find.appendChild(out);
      if (q.q) await searchRecords(out, q.q, q.by || 'specialty');
      else {
        const r = await CJ.api('specialty.list', { limit: 100 });
        const schools = await CJ.records('school', r.items.map(s => s.school_id));
        out.appendChild(r.items.length ? CJ.table([{ t: '专业点' }, { t: '学校' }, { t: '专业代码' }],
          r.items.map(s => [CJ.named(s.name, s.id, specialtyHref(s.id)), CJ.named(nameOf(schools, s.school_id), s.school_id), s.major_code]), 'results') : CJ.none());
      }
      return;
    }
    const spec = await CJ.api('specialty.get', { id: specId });
    const school = (await CJ.records('school', [spec.school_id])).get(spec.school_id) || {};
    CJ.title(spec.name + ' · 适合岗位');
    const year = q.grad_year ? Number(q.grad_year) : CJ.gradYear(null);
    app.appendChild(CJ.kv([
      ['专业点', CJ.named(spec.name, spec.id)], ['专业代码', spec.major_code], ['学校', CJ.named(school.name, spec.school_id)],
      ['层次', W.level[school.level] || school.level || ''], ['地区', CJ.region(school.region)],
      ['毕业年份', String(year)], ['可供毕业生', fmt.int((spec.cohorts || {})[String(year)] || 0)],
      spec.skills ? ['技能', spec.skills.join('、')] : null,
    ]));
    app.appendChild(CJ.form([
      { name: 'kind', label: '岗位类型', value: q.kind || '', options: [['', '全部']].concat(Object.keys(W.kind).map(k => [k, W.kind[k]])) },
      { name: 'region', label: '岗位地区', value: q.region, placeholder: '如 3307', size: 8 },
      { name: 'grad_year', label: '毕业年份', type: 'number', value: q.grad_year, placeholder: String(year), min: 1000, max: 9999 },
      { name: 'k', label: '列出前', type: 'number', value: q.k, placeholder: '20', min: 1 },
    ], '筛选'));
    const params = { specialty_id: specId, k: q.k ? Number(q.k) : 20, grad_year: year };
    if (q.kind) params.kind = q.kind;
    if (q.region) params.region_prefix = q.region;
    const res = section('适合的岗位', 'openings');
    app.appendChild(res);
    const wait = CJ.loading();
    res.appendChild(wait);
    try {
      const r = await CJ.api('match.openings', params);
      const posts = await CJ.records('posting', r.items.map(i => i.posting_id));
      const ents = await CJ.records('enterprise', r.items.map(i => i.enterprise_id));
      wait.remove();
      res.appendChild(r.items.length ? CJ.table(
        [{ t: '序号', num: true }, { t: '岗位' }, { t: '企业' }, { t: '类型' }, { t: '地区' }, { t: '招聘人数', num: true },
          { t: '匹配度', num: true }].concat(factorCols()),
        r.items.map((it, i) => {
          const p = posts.get(it.posting_id) || {}, e = ents.get(it.enterprise_id) || {};
          return [String(i + 1), CJ.named(p.title, it.posting_id, postingHref(it.posting_id)), CJ.named(e.name, it.enterprise_id),
            W.kind[p.kind] || p.kind || '', CJ.region(p.region || e.region), fmt.int(it.headcount), fmt.score(it.score)]
            .concat(factorCells(it.why));
        }), 'scored') : CJ.none());
      res.appendChild(h('p', { class: 'muted', id: 'considered' }, '符合条件的岗位 ' + fmt.int(r.considered) + ' 个，列出前 ' + r.items.length + ' 个'));
    } catch (e) { wait.remove(); CJ.fail(res, e); }
  });

  /* ------------------------------------------------------ /balance */

  /* Colour band of positions per graduate (stats.balance's ratio). */
  function band(row) {
    if (!row) return 'r-none';
    if (row.ratio === null || row.ratio === undefined) return 'r-nosupply';
    const r = row.ratio;
    return r < 0.5 ? 'r0' : r < 1 ? 'r1' : r < 2 ? 'r2' : r < 5 ? 'r3' : 'r4';
  }

  CJ.route(/^\/balance$/, 'balance', async function (app) {
    const q = CJ.query();
    CJ.title('供需分布');
    app.appendChild(h('h1', null, '供需分布：专业类 × 地区'));
    let region = q.region;
    if (!region && q.fair) {
      const f = await CJ.api('fair.get', { id: q.fair });
      if (f.region) region = f.region.slice(0, 2);
    }
    if (!region) {
      const s = await CJ.api('school.list', { limit: 1 });
      region = s.items.length ? s.items[0].region.slice(0, 2) : '33';
    }
    app.appendChild(CJ.form([
      { name: 'region', label: '地区（省或市代码）', value: region, size: 6 },
      { name: 'grad_year', label: '毕业年份', type: 'number', value: q.grad_year, placeholder: String(CJ.gradYear(null)), min: 1000, max: 9999 },
      { name: 'fair', label: '只看双选会', value: q.fair, placeholder: '双选会编号', size: 14 },
    ], '查看'));
    const regions = (window.CJ_CODES || { regions: {} }).regions;
    const childLen = region.length === 2 ? 4 : 6;
    const children = Object.keys(regions).filter(c => c.length === childLen && c.indexOf(region) === 0).sort();
    const base = { by: 'major_class' };
    if (q.grad_year) base.grad_year = Number(q.grad_year);
    if (q.fair) base.fair_id = q.fair;
    const year = q.grad_year ? Number(q.grad_year) : CJ.gradYear(null);
    app.appendChild(CJ.kv([['统计口径', '专业类'], ['地区', CJ.region(region)], ['毕业年份', q.fair && !q.grad_year ? '按双选会日期' : String(year)],
      q.fair ? ['双选会', q.fair] : null]));
    const res = section('毕业生 / 岗位需求（颜色按岗位/毕业生）', 'balance');
    app.appendChild(res);
    const wait = CJ.loading('正在统计（stats.balance）…');
    res.appendChild(wait);
    const all = await CJ.api('stats.balance', Object.assign({ region_prefix: region }, base));
    const per = await CJ.pool(children, 4, c => CJ.api('stats.balance', Object.assign({ region_prefix: c }, base)));
    wait.remove();
    const cols = children.map((c, i) => ({ code: c, rows: new Map(per[i].rows.map(r => [r.key, r])) })).filter(c => c.rows.size);
    if (!all.rows.length) { res.appendChild(CJ.none()); return; }
    const cell = (row, place, key) => {
      if (!row) return { v: '', cls: 'heat r-none' };
      const ratio = row.ratio === null || row.ratio === undefined ? '-' : fmt.ratio(row.ratio);
      return {
        v: [h('span', { class: 's' }, fmt.int(row.supply)), ' / ', h('span', { class: 'd' }, fmt.dec(row.demand, 2))],
        cls: 'heat ' + band(row),
        title: place + ' · ' + key + '：岗位/毕业生 ' + ratio + '（毕业生 ' + fmt.int(row.supply) + '，岗位需求 ' + fmt.dec(row.demand, 2) + '）',
      };
    };
    const label = key => key === '*' ? '* 任何专业' : key + ' ' + (CJ.majorName(key) || '');
    res.appendChild(CJ.table(
      [{ t: '专业类' }, { t: '层次' }, { t: CJ.regionName(region) + '合计', cls: 'heat-h' }].concat(cols.map(c => ({ t: CJ.regionName(c.code) || c.code, cls: 'heat-h', title: c.code }))),
      all.rows.map(r => [label(r.key), r.key === '*' ? '' : CJ.majorLevel(r.key), cell(r, CJ.regionName(region), label(r.key))]
        .concat(cols.map(c => cell(c.rows.get(r.key), CJ.regionName(c.code), label(r.key))))), 'heatmap'));
    res.appendChild(h('ul', { class: 'legend' }, [['r0', '岗位/毕业生 < 0.5（毕业生远多于岗位）'], ['r1', '0.5–1'], ['r2', '1–2'],
      ['r3', '2–5'], ['r4', '≥ 5（岗位远多于毕业生）'], ['r-nosupply', '无毕业生，只有岗位需求'], ['r-none', '无数据']]
      .map(x => h('li', null, h('span', { class: 'swatch heat ' + x[0] }), x[1]))));
    res.appendChild(h('p', { class: 'muted' }, '每格为“毕业生 / 岗位需求”；岗位需求按岗位的专业前缀均分，所以可能有小数。鼠标悬停可看比值。'));
  });

  /* ------------------------------------------------------- /import */

  CJ.route(/^\/import$/, 'import', async function (app) {
    CJ.title('导入');
    app.appendChild(h('h1', null, '导入 CSV'));
    app.appendChild(h('p', { class: 'muted' }, '先预检：文件逐行检查、对照库中数据试导入后撤销，列出每个问题；没有问题时再确认导入。整个文件要么全部导入，要么一行也不导入。'));
    const kind = h('select', { id: 'kind', name: 'kind' }, W.kinds.map(k => h('option', { value: k[0] }, k[1] + '（' + k[0] + '）')));
    const file = h('input', { type: 'file', id: 'file', name: 'file', accept: '.csv,.txt,.tsv,text/csv' });
    const allowMove = h('input', { type: 'checkbox', id: 'allow_move' });
    const sync = h('input', { type: 'checkbox', id: 'sync' });
    const dry = h('button', { type: 'submit', id: 'dry-run' }, '预检');
    const form = h('form', { class: 'filters', id: 'import-form' },
      h('label', { for: 'kind' }, h('span', null, '类型'), kind),
      h('label', { for: 'file' }, h('span', null, '文件'), file),
      h('label', { for: 'allow_move', class: 'check' }, h('span', null, '允许改变归属'), allowMove),
      h('label', { for: 'sync', class: 'check' }, h('span', null, '同步删除文件中没有的记录'), sync),
      dry);
    app.appendChild(form);
    const note = h('p', { class: 'muted', id: 'fair-note' });
    app.appendChild(note);
    const out = h('div', { id: 'import-result' });
    app.appendChild(out);
    const updateNote = () => {
      note.textContent = kind.value === 'fair' ? '双选会由 fairs.csv 和 fair_directions.csv、fair_sessions.csv、fair_requests.csv 四个文件组成；这里只能上传 fairs.csv 一个文件，完整的双选会请用命令行 chanjiao import 目录 导入。' : '';
    };
    kind.addEventListener('change', updateNote);
    updateNote();

    function counts(r) {
      return CJ.table([{ t: '新增', num: true }, { t: '更新', num: true }, { t: '未变', num: true }, { t: '删除', num: true }],
        [[fmt.int(r.new), fmt.int(r.updated), fmt.int(r.unchanged), fmt.int(r.deleted)]], 'counts');
    }
    function problems(r) {
      const errs = r.errors || [];
      const rows = errs.map(e => ({ rowCls: e.warning ? 'warning' : 'problem', cells: [e.file || '', e.row === 0 ? '整个文件' : String(e.row),
        e.column || '（整行）', e.value === undefined ? '' : String(e.value), (e.warning ? '提醒：' : '') + e.message] }));
      const box = h('div', null, CJ.table([{ t: '文件' }, { t: '行', num: true }, { t: '列' }, { t: '值' }, { t: '说明' }], rows, 'import-errors'));
      const total = (r.errors_total || 0) + (r.warnings_total || 0);
      if (total > errs.length) box.appendChild(h('p', { class: 'muted' }, '共 ' + total + ' 个问题，列出前 ' + errs.length + ' 个。'));
      return box;
    }
    const opts = extra => Object.assign({ allow_move: allowMove.checked, sync: sync.checked }, extra);

    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      CJ.clear(out);
      const f = file.files[0];
      if (!f) { out.appendChild(CJ.errorBox({ message: '请选择文件。' })); return; }
      dry.disabled = true;
      out.appendChild(CJ.loading('正在预检…'));
      let r;
      try {
        r = await CJ.upload(kind.value, f, opts({ dry_run: true }));
      } catch (e) {
        CJ.clear(out);
        CJ.fail(out, e);
        dry.disabled = false;
        return;
      }
      dry.disabled = false;
      CJ.clear(out);
      const hard = (r.errors || []).filter(e => !e.warning);
      out.appendChild(h('h2', null, '预检结果：' + f.name));
      if (hard.length) {
        out.appendChild(h('p', { class: 'error', id: 'dry-status' }, '发现 ' + (r.errors_total || hard.length) + ' 个错误，未导入任何记录。请修改文件后重新预检。'));
        out.appendChild(problems(r));
        out.appendChild(h('p', { class: 'muted' }, '可读的行将会：'));
        out.appendChild(counts(r));
        return;
      }
      out.appendChild(h('p', { class: 'ok', id: 'dry-status' }, '没有错误，可以导入。'));
      out.appendChild(counts(r));
      if ((r.errors || []).length) out.appendChild(problems(r));
      const commit = h('button', { type: 'button', id: 'commit', class: 'primary' }, '确认导入');
      const done = h('div', { id: 'commit-result' });
      commit.addEventListener('click', async () => {
        commit.disabled = true;
        CJ.clear(done).appendChild(CJ.loading('正在导入…'));
        try {
          const c = await CJ.upload(kind.value, f, opts({}));
          CJ.clear(done);
          const bad = (c.errors || []).filter(e => !e.warning);
          if (bad.length) {
            done.appendChild(h('p', { class: 'error' }, '导入失败，未写入任何记录：'));
            done.appendChild(problems(c));
            commit.disabled = false;
            return;
          }
          done.appendChild(h('p', { class: 'ok', id: 'commit-status' }, '已导入：新增 ' + fmt.int(c.new) + '，更新 ' + fmt.int(c.updated) +
            '，未变 ' + fmt.int(c.unchanged) + '，删除 ' + fmt.int(c.deleted) + '。'));
        } catch (e) {
          CJ.clear(done);
          CJ.fail(done, e);
          commit.disabled = false;
        }
      });
      out.appendChild(commit);
      out.appendChild(done);
    });
  });

  /* --------------------------------------------------- /orderclass */

  /* How far the plan may be from the best, as the CLI words it. */
  function optimality(r) {
    if (r.optimal) return '已证明最优';
    const gap = r.bound > 0 && r.bound > r.objective ? (r.bound - r.objective) / r.bound : 0;
    return '与最优解差距不超过 ' + (Math.ceil(gap * 1000) / 10).toFixed(1) + '%';
  }

  async function schoolOptions() {
    const r = await CJ.api('school.list', { limit: 1000 });
    return [['', '全部（按地区）']].concat(r.items.map(s => [s.id, s.name + '（' + s.id + '）']));
  }

  CJ.route(/^\/orderclass$/, 'orderclass', async function (app) {
    const q = CJ.query();
    CJ.title('订单班');
    app.appendChild(h('h1', null, '订单班规划'));
    app.appendChild(h('p', { class: 'muted' }, '为每个（专业点，企业）对决定是否开班及班额，使 Σ 班额 × 匹配度 最大；给出上界，说明方案离最优还差多少。'));
    const form = CJ.form([
      { name: 'school', label: '学校', value: q.school || '', options: await schoolOptions() },
      { name: 'region', label: '地区', value: q.region, placeholder: '如 3307', size: 8 },
      { name: 'min_size', label: '最小班额', type: 'number', value: q.min_size, placeholder: '20', min: 1, max: 10000 },
      { name: 'max_size', label: '最大班额', type: 'number', value: q.max_size, placeholder: '40', min: 1, max: 10000 },
      { name: 'grad_year', label: '毕业年份', type: 'number', value: q.grad_year, placeholder: String(CJ.gradYear(null)), min: 1000, max: 9999 },
      { name: 'time_limit', label: '求解时限（毫秒）', type: 'number', value: q.time_limit, placeholder: '10000', min: 1, max: 600000 },
      { name: 'explain', label: '列出未分班的毕业生', type: 'checkbox', value: q.run ? q.explain : '1' },
    ], '开始规划');
    form.appendChild(h('input', { type: 'hidden', name: 'run', value: '1' }));
    app.appendChild(form);
    if (!q.run) return;
    const params = {};
    if (q.school) params.school_id = q.school;
    if (q.region) params.region_prefix = q.region;
    if (q.min_size) params.min_size = Number(q.min_size);
    if (q.max_size) params.max_size = Number(q.max_size);
    if (q.grad_year) params.grad_year = Number(q.grad_year);
    if (q.time_limit) params.time_limit_ms = Number(q.time_limit);
    if (q.explain) params.explain = true;
    const res = h('div', { id: 'plan' });
    app.appendChild(res);
    res.appendChild(CJ.loading('正在规划（最长 ' + Math.round((params.time_limit_ms || 10000) / 1000) + ' 秒）…'));
    let r;
    try { r = await CJ.api('orderclass.plan', params); } catch (e) { CJ.clear(res); CJ.fail(res, e); return; }
    CJ.clear(res);
    const specIds = r.classes.map(c => c.specialty_id).concat(r.supply ? Object.keys(r.supply) : []);
    const [schools, specs, ents] = await Promise.all([CJ.records('school', r.classes.map(c => c.school_id)),
      CJ.records('specialty', specIds), CJ.records('enterprise', r.classes.map(c => c.enterprise_id))]);
    res.appendChild(h('p', { class: 'summary', id: 'plan-summary' }, '订单班 ' + r.classes.length + ' 个，分班学生 ' + fmt.int(r.students) +
      ' 人，目标值 ' + fmt.score(r.objective) + '，上界 ' + fmt.score(r.bound) + '，' + optimality(r) + '，求解 ' + fmt.ms(r.solve_ms)));
    const cls = section('订单班（' + r.classes.length + ' 个）', 'classes');
    res.appendChild(cls);
    cls.appendChild(r.classes.length ? CJ.table([{ t: '学校' }, { t: '专业点' }, { t: '企业' }, { t: '人数', num: true }, { t: '匹配度', num: true }],
      r.classes.map(c => [CJ.named(nameOf(schools, c.school_id), c.school_id),
        CJ.named(nameOf(specs, c.specialty_id), c.specialty_id, specialtyHref(c.specialty_id)),
        CJ.named(nameOf(ents, c.enterprise_id), c.enterprise_id), fmt.int(c.size), fmt.score(c.score)]), 'classes') : CJ.none());
    if (r.supply) {
      const placed = {};
      for (const c of r.classes) placed[c.specialty_id] = (placed[c.specialty_id] || 0) + c.size;
      const paired = new Set((r.pairs || []).map(p => p.specialty_id));
      const ids = Object.keys(r.supply).filter(id => r.supply[id] > 0 || placed[id]).sort((a, b) => {
        const sa = (specs.get(a) || {}).school_id || '', sb = (specs.get(b) || {}).school_id || '';
        return byStr(sa, sb) || byStr(a, b);
      });
      const left = id => r.supply[id] - (placed[id] || 0);
      const sumSec = section('按专业汇总：毕业生、已分班、未分班（毕业生 − 各班人数）', 'left');
      res.appendChild(sumSec);
      sumSec.appendChild(CJ.table([{ t: '专业点' }, { t: '毕业生', num: true }, { t: '已分班', num: true }, { t: '未分班', num: true }, { t: '原因' }],
        ids.map(id => ({ rowCls: left(id) > 0 ? 'short' : '', cells: [CJ.named(nameOf(specs, id), id, specialtyHref(id)),
          fmt.int(r.supply[id]), fmt.int(placed[id] || 0), fmt.int(left(id)),
          left(id) <= 0 ? '' : !paired.has(id) ? '没有可组班的企业（无匹配岗位）' :
            placed[id] ? '企业需求或班额限制，余下人数不足以再开班' : '企业需求不足最小班额，或名额给了匹配度更高的专业'] }))
          .concat([{ rowCls: 'total', cells: ['合计 ' + ids.length + ' 个专业', fmt.int(sum(ids, id => r.supply[id])),
            fmt.int(sum(ids, id => placed[id] || 0)), fmt.int(sum(ids, left)), ''] }]), 'summary'));
    }
  });

  /* ----------------------------------------------- /apprenticeship */

  CJ.route(/^\/apprenticeship$/, 'apprenticeship', async function (app) {
    const q = CJ.query();
    CJ.title('学徒制');
    app.appendChild(h('h1', null, '学徒制匹配'));
    app.appendChild(h('p', { class: 'muted' }, '学生提出、项目择优的延迟接受算法（含名额）：结果稳定，且对每个学生都是最好的稳定匹配。'));
    const form = CJ.form([
      { name: 'programs', label: '学徒项目编号（逗号分隔，留空为全部）', value: q.programs, size: 24 },
      { name: 'region', label: '地区', value: q.region, placeholder: '如 3304', size: 8 },
      { name: 'grad_year', label: '毕业年份', type: 'number', value: q.grad_year, placeholder: '全部', min: 1000, max: 9999 },
      { name: 'explain', label: '列出志愿与名额', type: 'checkbox', value: q.run ? q.explain : '1' },
    ], '开始匹配');
    form.appendChild(h('input', { type: 'hidden', name: 'run', value: '1' }));
    app.appendChild(form);
    if (!q.run) return;
    const params = {};
    const progs = (q.programs || '').split(/[,;，；、\s]+/).filter(x => x);
    if (progs.length) params.program_ids = progs;
    if (q.region) params.region_prefix = q.region;
    if (q.grad_year) params.grad_year = Number(q.grad_year);
    if (q.explain) params.explain = true;
    const res = h('div', { id: 'plan' });
    app.appendChild(res);
    res.appendChild(CJ.loading('正在匹配…'));
    let r;
    try { r = await CJ.api('apprenticeship.match', params); } catch (e) { CJ.clear(res); CJ.fail(res, e); return; }
    CJ.clear(res);
    res.appendChild(h('p', { class: 'summary', id: 'plan-summary' }, '已匹配 ' + r.assignments.length + ' 人，未匹配 ' + r.unmatched.length +
      ' 人；阻塞对 ' + fmt.int(r.blocking_pairs) + '，' + (r.blocking_pairs === 0 ? '稳定匹配' : '不是稳定匹配') + '；' + fmt.int(r.rounds) +
      ' 轮，求解 ' + fmt.ms(r.solve_ms)));
    const progIds = r.assignments.map(a => a.program_id).concat(r.capacity ? Object.keys(r.capacity) : []);
    const programs = await CJ.records('program', progIds);
    const ents = await CJ.records('enterprise', Array.from(programs.values()).filter(p => p).map(p => p.enterprise_id));
    const progCell = id => CJ.named(nameOf(programs, id, 'title'), id);
    const entCell = id => { const p = programs.get(id); return p ? CJ.named(nameOf(ents, p.enterprise_id), p.enterprise_id) : ''; };

    /* a long table shows 200 rows, then all on request */
    function paged(sec, list, cols, rowOf, cls) {
      const box = h('div');
      sec.appendChild(box);
      const show = async n => {
        const part = list.slice(0, n);
        const studs = await CJ.records('student', part.map(x => x.student_id));
        const specs = await CJ.records('specialty', Array.from(studs.values()).filter(s => s).map(s => s.specialty_id));
        CJ.clear(box).appendChild(part.length ? CJ.table(cols, part.map(x => rowOf(x, studs.get(x.student_id) || {}, specs)), cls) : CJ.none());
        if (n < list.length) {
          const more = h('button', { type: 'button', class: 'more' }, '显示全部 ' + list.length + ' 人');
          more.addEventListener('click', () => { more.disabled = true; show(list.length).catch(e => CJ.fail(box, e)); });
          box.appendChild(more);
        }
      };
      return show(200);
    }
    const specCell = (s, specs) => s.specialty_id ? CJ.named(nameOf(specs, s.specialty_id), s.specialty_id, specialtyHref(s.specialty_id)) : '';

    const un = section('未匹配（' + r.unmatched.length + ' 人）', 'unmatched');
    res.appendChild(un);
    const unCols = [{ t: '学生' }, { t: '专业' }, { t: '毕业年份', num: true }, { t: '原因' }];
    if (r.student_prefs) unCols.push({ t: '可报项目（按志愿顺序）' });
    await paged(un, r.unmatched, unCols, (u, s, specs) => {
      const row = [u.student_id, specCell(s, specs), s.grad_year ? String(s.grad_year) : '', W.reason[u.reason] || u.reason];
      if (r.student_prefs) {
        const l = r.student_prefs[u.student_id] || [];
        row.push(l.length ? l.join('、') : '（无）');
      }
      return row;
    }, 'unmatched');

    const ok = section('已匹配（' + r.assignments.length + ' 人）', 'matched');
    res.appendChild(ok);
    await paged(ok, r.assignments, [{ t: '学生' }, { t: '专业' }, { t: '项目' }, { t: '企业' }],
      (a, s, specs) => [a.student_id, specCell(s, specs), progCell(a.program_id), entCell(a.program_id)], 'matched');

    if (r.capacity) {
      const filled = {};
      for (const a of r.assignments) filled[a.program_id] = (filled[a.program_id] || 0) + 1;
      const ids = Object.keys(r.capacity).sort(byStr);
      const cap = section('项目名额', 'programs');
      res.appendChild(cap);
      cap.appendChild(CJ.table([{ t: '项目' }, { t: '企业' }, { t: '名额', num: true }, { t: '已录取', num: true }, { t: '空余', num: true }],
        ids.map(id => [progCell(id), entCell(id), fmt.int(r.capacity[id]), fmt.int(filled[id] || 0), fmt.int(r.capacity[id] - (filled[id] || 0))]), 'programs'));
    }
  });
})();
