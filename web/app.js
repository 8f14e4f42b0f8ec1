/*
 * app.js — the console's core: DOM helpers (text only, never HTML from
 * data), the JSON bridge (POST /api/<method>), the session and login,
 * number formats as the CLI prints them, names beside ids, the router.
 * Pages are in pages.js; both are plain ES2017, no build step.
 */
'use strict';

(function () {
  const CJ = window.CJ = {};

  /* ------------------------------------------------------------ DOM */

  /* h('td', {class: 'num', title: '…'}, child, …): an element.  Children
   * are nodes or strings (text nodes); arrays are flattened; null and
   * undefined are skipped.  No inline styles or handlers: CSP forbids them. */
  function h(tag, attrs) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const k of Object.keys(attrs)) {
        const v = attrs[k];
        if (v === null || v === undefined || v === false) continue;
        if (k === 'style' || k.slice(0, 2) === 'on') throw new Error('h: no ' + k);
        if (k === 'text') e.textContent = String(v);
        else if (k === 'class') e.className = v;
        else if (k === 'value') e.value = v;
        else if (k === 'checked' || k === 'disabled' || k === 'selected') e[k] = !!v;
        else e.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (let i = 2; i < arguments.length; i++) append(e, arguments[i]);
    return e;
  }
  function append(e, c) {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) { c.forEach(x => append(e, x)); return; }
    e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }
  CJ.h = h;
  CJ.clear = clear;

  /* ------------------------------------------------------- formats */

  /* As the CLI prints numbers: integers plainly ("1500", no grouping),
   * ratios with two decimals, scores with three, factors with two. */
  const fmt = CJ.fmt = {
    int(n) { return n === null || n === undefined ? '' : String(Math.round(Number(n))); },
    dec(n, d) { return n === null || n === undefined ? '-' : Number(n).toFixed(d); },
    ratio(n) { return n === null || n === undefined ? '-' : Number(n).toFixed(2); },
    score(n) { return n === null || n === undefined ? '' : Number(n).toFixed(3); },
    factor(n) { return Number(n).toFixed(2); },
    ms(n) { return Math.round(Number(n)) + ' ms'; },
  };

  CJ.words = {
    level: { secondary: '中职', technician: '技工', higher: '高职', bachelor: '本科' },
    kind: { job: '就业', internship: '实习', apprenticeship: '学徒', order_class: '订单班' },
    role: { admin: '管理员', organizer: '组织方', school: '学校', enterprise: '企业', reader: '只读' },
    reason: { no_program: '无可报项目', outranked: '名额已满（排名靠后）' },
    factors: [['major', '专业匹配'], ['skills', '技能匹配'], ['region', '地区匹配'],
      ['level', '层次匹配'], ['capacity', '人数匹配'], ['chain', '产业链匹配']],
    kinds: [['school', '学校'], ['specialty', '专业点'], ['enterprise', '企业'],
      ['posting', '岗位'], ['fair', '双选会'], ['program', '学徒项目'], ['student', '学生']],
  };

  const codes = () => window.CJ_CODES || { regions: {}, majors: {} };

  /* "金华市婺城区" of 330702, "金华市" of 3307, "浙江省" of 33 (as the CLI). */
  CJ.regionName = function (code) {
    if (!code) return '';
    const r = codes().regions;
    if (code.length === 6) {
      const city = r[code.slice(0, 4)], county = r[code];
      if (!county) return city || '';
      if (!city || city === '市辖区' || city === '县' || city === '省直辖县级行政区划')
        return (r[code.slice(0, 2)] || '') + county;
      return city + county;
    }
    return r[code] || '';
  };
  /* "330702 金华市婺城区" */
  CJ.region = function (code) {
    const n = CJ.regionName(code);
    return code ? (n ? code + ' ' + n : code) : '';
  };
  /* The name of a major class (4 digits) or group (2). */
  CJ.majorName = function (code) { return codes().majors[code] || ''; };
  /* The level of a major code by its first digit. */
  CJ.majorLevel = function (code) {
    const d = (code || '')[0];
    if (d >= '2' && d <= '3') return '本科';
    if (d >= '4' && d <= '5') return '高职';
    if (d >= '6' && d <= '7') return '中职';
    return '';
  };

  /* The graduation year the daemon takes by default: the year of the date
   * when on or before 31 August, else the next (docs/protocol.md). */
  CJ.gradYear = function (dateStr) {
    let y, m;
    if (dateStr) {
      y = Number(dateStr.slice(0, 4));
      m = Number(dateStr.slice(5, 7));
    } else {
      const d = new Date();
      y = d.getFullYear();
      m = d.getMonth() + 1;
    }
    return m <= 8 ? y : y + 1;
  };

  /* A name with its id beside it: 金华技师学院 (3133070201). */
  CJ.named = function (name, id, href) {
    const hasId = id !== undefined && id !== null;
    const inner = [name ? h('span', { class: 'nm' }, name) : null, name && hasId ? ' ' : null,
      hasId ? h('span', { class: 'id' }, name ? '(' + id + ')' : id) : null];
    return href ? h('a', { href: href, class: 'named' }, inner) : h('span', { class: 'named' }, inner);
  };

  CJ.path = function () {
    return Array.prototype.slice.call(arguments).map(s => encodeURIComponent(s)).join('/');
  };

  /* ---------------------------------------------------------- API */

  class ApiError extends Error {
    constructor(status, err) {
      super(err && err.message ? err.message : 'HTTP ' + status);
      this.status = status;
      this.code = err ? err.code : null;
      this.data = err ? err.data : null;
    }
  }
  CJ.ApiError = ApiError;

  CJ.session = null;

  async function request(url, body, json) {
    const headers = {};
    if (json) headers['Content-Type'] = 'application/json';
    if (CJ.session && CJ.session.csrf) headers['X-CSRF-Token'] = CJ.session.csrf;
    let resp;
    try {
      resp = await fetch(url, { method: 'POST', headers: headers, body: body,
        credentials: 'same-origin', cache: 'no-store' });
    } catch (e) {
      throw new ApiError(0, { code: null, message: '无法连接控制台服务：' + e.message });
    }
    let reply = null;
    try { reply = await resp.json(); } catch (e) { reply = null; }
    if (resp.ok && reply && 'result' in reply) return reply.result;
    const err = new ApiError(resp.status, reply && reply.error ? reply.error :
      { code: null, message: 'HTTP ' + resp.status + ' ' + resp.statusText });
    if (resp.status === 401) CJ.showLogin(err.message);
    throw err;
  }

  /* POST /api/<method> with the params map; the result, or ApiError.
   * 429 (the daemon's job queue is full) is retried three times, 0.3,
   * 0.6 and 1.2 s later, as its message asks. */
  CJ.api = async function (method, params) {
    const body = JSON.stringify(params || {});
    for (let wait = 300; ; wait *= 2) {
      try {
        return await request('/api/' + method, body, true);
      } catch (e) {
        if (e.status !== 429 || wait > 1200) throw e;
        await new Promise(ok => setTimeout(ok, wait));
      }
    }
  };

  /* POST /api/import.csv?kind=K&… with the file's bytes as the body. */
  CJ.upload = function (kind, file, opts) {
    const q = ['kind=' + encodeURIComponent(kind)];
    for (const k of ['dry_run', 'allow_move', 'sync'])
      if (opts && opts[k]) q.push(k + '=1');
    return request('/api/import.csv?' + q.join('&'), file, false);
  };

  /* Run fn over items with at most n at once; results in order. */
  CJ.pool = async function (items, n, fn) {
    const out = new Array(items.length);
    let next = 0;
    async function worker() {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }
    const ws = [];
    for (let i = 0; i < Math.min(n, items.length); i++) ws.push(worker());
    await Promise.all(ws);
    return out;
  };

  /* Records by id, fetched once per page load: <kind>.get {ids}, a
   * thousand a request; a missing one is null. */
  const cache = {};
  CJ.records = async function (kind, ids) {
    const c = cache[kind] || (cache[kind] = new Map());
    const want = Array.from(new Set(ids.filter(id => id !== null && id !== undefined && !c.has(id))));
    const chunks = [];
    for (let i = 0; i < want.length; i += 1000) chunks.push(want.slice(i, i + 1000));
    await Promise.all(chunks.map(async chunk => {
      const p = CJ.api(kind + '.get', { ids: chunk }).then(r => r.items);
      chunk.forEach((id, i) => c.set(id, p.then(items => items[i])));
      try {
        const items = await p;
        chunk.forEach((id, i) => c.set(id, items[i]));
      } catch (e) {
        for (const id of chunk) c.delete(id);
        throw e;
      }
    }));
    const out = new Map();
    for (const id of ids) out.set(id, await c.get(id));
    return out;
  };
  CJ.remember = function (kind, recs) {
    const c = cache[kind] || (cache[kind] = new Map());
    for (const r of recs) c.set(r.id, r);
  };

  /* Every record of a list (following `next`), up to max items. */
  CJ.listAll = async function (kind, filter, max) {
    const items = [];
    let after = null;
    for (;;) {
      const p = { limit: 1000 };
      if (after !== null) p.after = after;
      if (filter) p.filter = filter;
      const r = await CJ.api(kind + '.list', p);
      items.push.apply(items, r.items);
      if (r.next === null || r.next === undefined || (max && items.length >= max)) break;
      after = r.next;
    }
    CJ.remember(kind, items);
    return items;
  };

  /* ------------------------------------------------- page pieces */

  CJ.errorBox = function (err) {
    const parts = [];
    if (err && err.code !== null && err.code !== undefined) parts.push('错误 ' + err.code);
    else if (err && err.status) parts.push('HTTP ' + err.status);
    let msg = err && err.message ? err.message : String(err);
    if (err && err.code === 1003) msg = '无权限：' + msg;
    const field = err && err.data && err.data.field;
    return h('div', { class: 'error', role: 'alert' },
      parts.length ? h('strong', null, parts.join(' ') + '：') : null, msg,
      field ? h('span', { class: 'field' }, '（字段 ' + field + '）') : null);
  };

  /* Show err in place of (or at the end of) el; a 401 is the login form's. */
  CJ.fail = function (el, err) {
    if (err && err.status === 401) return;
    if (!(err instanceof ApiError)) console.warn(err);
    el.appendChild(CJ.errorBox(err));
  };

  CJ.loading = function (text) { return h('p', { class: 'muted loading' }, text || '正在计算…'); };

  /* A table: cols [{t: heading, num?: bool, cls?}], rows of cells (node or
   * text; a cell may be {v, cls, title}). */
  CJ.table = function (cols, rows, cls) {
    const thead = h('thead', null, h('tr', null, cols.map(c =>
      h('th', { class: (c.num ? 'num ' : '') + (c.cls || ''), title: c.title }, c.t))));
    const tbody = h('tbody');
    for (const r of rows) {
      tbody.appendChild(h('tr', r.rowCls ? { class: r.rowCls } : null, (r.cells || r).map((v, i) => {
        const c = cols[i] || {};
        if (v && typeof v === 'object' && !(v instanceof Node) && !Array.isArray(v))
          return h('td', { class: (c.num ? 'num ' : '') + (v.cls || ''), title: v.title,
            colspan: v.span }, v.v);
        return h('td', c.num ? { class: 'num' } : null, v);
      })));
    }
    return h('table', { class: 'grid ' + (cls || '') }, thead, tbody);
  };

  CJ.none = function () { return h('p', { class: 'muted' }, '（无）'); };

  /* A horizontal bar for a value in [0, 1]. */
  CJ.bar = function (v, label) {
    const fill = h('span', { class: 'fill' });
    fill.style.width = Math.max(0, Math.min(1, Number(v))) * 100 + '%';
    return h('span', { class: 'bar', title: label ? label + ' ' + fmt.factor(v) : fmt.factor(v) },
      h('span', { class: 'track' }, fill), h('span', { class: 'bv' }, fmt.factor(v)));
  };

  CJ.kv = function (pairs) {
    return h('dl', { class: 'kv' }, pairs.filter(p => p).map(p => [h('dt', null, p[0]), h('dd', null, p[1])]));
  };

  /* Query string of the page as an object; and a URL with changes. */
  CJ.query = function () {
    const q = {};
    new URLSearchParams(location.search).forEach((v, k) => { q[k] = v; });
    return q;
  };
  CJ.withQuery = function (path, q) {
    const s = new URLSearchParams();
    for (const k of Object.keys(q)) if (q[k] !== '' && q[k] !== null && q[k] !== undefined) s.set(k, q[k]);
    const t = s.toString();
    return path + (t ? '?' + t : '');
  };

  /* A GET form whose fields become the page's query string. */
  CJ.form = function (fields, submitText, action) {
    const f = h('form', { class: 'filters', method: 'get', action: action || location.pathname });
    for (const fd of fields) {
      let input;
      if (fd.options) {
        input = h('select', { name: fd.name, id: 'f-' + fd.name },
          fd.options.map(o => h('option', { value: o[0], selected: String(fd.value || '') === String(o[0]) }, o[1])));
      } else if (fd.type === 'checkbox') {
        input = h('input', { type: 'checkbox', name: fd.name, id: 'f-' + fd.name, value: '1', checked: !!fd.value });
      } else {
        input = h('input', { type: fd.type || 'text', name: fd.name, id: 'f-' + fd.name,
          value: fd.value === undefined || fd.value === null ? '' : String(fd.value),
          placeholder: fd.placeholder, size: fd.size, min: fd.min, max: fd.max, step: fd.step });
      }
      f.appendChild(h('label', { for: 'f-' + fd.name, class: fd.type === 'checkbox' ? 'check' : null },
        h('span', null, fd.label), input));
    }
    f.appendChild(h('button', { type: 'submit' }, submitText || '查询'));
    f.addEventListener('submit', () => {
      /* leave empty fields out of the URL */
      for (const el of Array.prototype.slice.call(f.elements))
        if (el.name && el.type !== 'checkbox' && el.value === '') el.disabled = true;
    });
    return f;
  };

  CJ.title = function (text) { document.title = text + ' · 产教匹配控制台'; };

  /* -------------------------------------------------- session */

  function renderWho() {
    const who = clear(document.getElementById('who'));
    const s = CJ.session;
    if (!s) return;
    const role = CJ.words.role[s.role] || s.role;
    who.appendChild(h('span', { class: 'role', id: 'role' }, role + (s.owner ? ' ' + s.owner : '')));
    if (s.tokens) {
      const out = h('button', { type: 'button', id: 'logout', class: 'link' }, '退出');
      out.addEventListener('click', async () => {
        try { await CJ.api('auth.logout', {}); } catch (e) { /* shown by the login form */ }
        CJ.session = null;
        CJ.showLogin();
      });
      who.appendChild(out);
    }
  }

  CJ.showLogin = function (message) {
    CJ.session = null;
    clear(document.getElementById('who'));
    const app = clear(document.getElementById('app'));
    CJ.title('登录');
    document.body.setAttribute('data-ready', '1');
    const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'current-password', required: true, size: 40 });
    const msg = h('div', { id: 'login-msg' });
    const form = h('form', { id: 'login', class: 'card login' },
      h('h1', null, '登录'),
      h('p', { class: 'muted' }, '请输入管理员发给您的令牌（token）。'),
      h('label', { for: 'token' }, h('span', null, '令牌'), input),
      h('button', { type: 'submit' }, '登录'), msg);
    if (message) msg.appendChild(CJ.errorBox({ message: message }));
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      clear(msg);
      try {
        const r = await fetch('/api/auth.login', { method: 'POST', credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: input.value }) });
        const body = await r.json().catch(() => null);
        if (!r.ok || !body || !body.result) {
          msg.appendChild(CJ.errorBox(new ApiError(r.status, body && body.error)));
          return;
        }
        CJ.session = Object.assign({ tokens: true }, body.result);
        renderWho();
        route();
      } catch (e) {
        msg.appendChild(CJ.errorBox(e));
      }
    });
    app.appendChild(form);
    input.focus();
  };

  async function loadSession() {
    let r;
    try {
      r = await fetch('/api/session', { credentials: 'same-origin', cache: 'no-store' });
    } catch (e) {
      throw new ApiError(0, { message: '无法连接控制台服务：' + e.message });
    }
    const body = await r.json().catch(() => null);
    if (r.status === 401) return null;
    if (!r.ok || !body || !body.result) throw new ApiError(r.status, body && body.error);
    return body.result;
  }

  /* -------------------------------------------------- router */

  const routes = [];
  CJ.route = function (re, nav, fn) { routes.push({ re: re, nav: nav, fn: fn }); };

  async function route() {
    const app = clear(document.getElementById('app'));
    document.body.removeAttribute('data-ready');
    const p = location.pathname;
    for (const r of routes) {
      const m = r.re.exec(p);
      if (!m) continue;
      for (const a of document.querySelectorAll('#nav a'))
        a.classList.toggle('here', a.getAttribute('data-nav') === r.nav);
      const args = m.slice(1).map(s => { try { return decodeURIComponent(s); } catch (e) { return s; } });
      try {
        await r.fn.apply(null, [app].concat(args));
      } catch (e) {
        CJ.fail(app, e);
      }
      document.body.setAttribute('data-ready', '1');
      return;
    }
    app.appendChild(h('h1', null, '找不到页面'));
    app.appendChild(h('p', null, h('a', { href: '/' }, '回到首页')));
    document.body.setAttribute('data-ready', '1');
  }

  async function start() {
    let s;
    try {
      s = await loadSession();
    } catch (e) {
      CJ.fail(clear(document.getElementById('app')), e);
      return;
    }
    if (!s) { CJ.showLogin(); return; }
    CJ.session = s;
    renderWho();
    await route();
  }

  document.addEventListener('DOMContentLoaded', start);
})();
