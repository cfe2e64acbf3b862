// Injected into a copy of report.html by report_layout.sh: measures the page
// as Chromium laid it out and writes the findings into the DOM (a <pre
// id="layout-facts">, one fact per line) for --dump-dom to carry out.
(function() {
const facts = [];
const problems = [];
const doc = document.documentElement;
const viewport = doc.clientWidth;
facts.push('viewport ' + viewport);
facts.push('scroll_width ' + doc.scrollWidth);
const describe = (el) => {
  let s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  if (el.getAttribute('class')) s += '.' + el.getAttribute('class').split(' ').join('.');
  const text = (el.textContent || '').trim().slice(0, 40);
  return s + ' "' + text + '"';
};
// Inside a scrolling box an element may be wider than the page on purpose.
const scrolls = (el) => {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX;
    if (o === 'auto' || o === 'scroll') return true;
  }
  return false;
};
let elements = 0;
for (const el of document.body.querySelectorAll('*')) {
  if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  ++elements;
  if ((r.right > viewport + 1 || r.left < -1) && !scrolls(el)) {
    problems.push(
        'wider than the viewport: ' + describe(el) + ' ' + r.left.toFixed(0) + '..' +
        r.right.toFixed(0));
  }
  const style = getComputedStyle(el);
  if (style.display !== 'inline' && el.clientWidth > 0 && style.overflowX === 'visible' &&
      el.scrollWidth > el.clientWidth + 1) {
    problems.push(
        'text overflows its box: ' + describe(el) + ' ' + el.scrollWidth + ' > ' + el.clientWidth);
  }
}
facts.push('elements ' + elements);
// Charts: every label and value inside the drawing, text at a readable size.
let minFont = 1000;
for (const svg of document.querySelectorAll('svg.chart')) {
  const name = svg.getAttribute('data-chart');
  const box = svg.viewBox.baseVal;
  const scale = svg.getBoundingClientRect().width / box.width;
  const bars = svg.querySelectorAll('rect.bar').length;
  facts.push('chart ' + name + ' ' + bars);
  for (const t of svg.querySelectorAll('text')) {
    const b = t.getBBox();
    if (b.x < box.x - 0.5 || b.x + b.width > box.x + box.width + 0.5 || b.y < box.y - 0.5 ||
        b.y + b.height > box.y + box.height + 0.5) {
      problems.push(
          'clipped chart text in ' + name + ': "' + t.textContent + '" ' + b.x.toFixed(0) + '+' +
          b.width.toFixed(0) + ' of ' + box.width);
    }
    const px = parseFloat(getComputedStyle(t).fontSize) * scale;
    minFont = Math.min(minFont, px);
  }
}
facts.push('min_chart_font_px ' + minFont.toFixed(1));
// The domain filter: typing a provider ID leaves only its rows.
const search = document.getElementById('domain-search');
const table = document.getElementById('domain-table');
if (search && table) {
  const rows = table.tBodies[0].rows;
  search.value = 'google.com';
  search.dispatchEvent(new Event('input'));
  let shown = 0, wrong = 0;
  for (const r of rows) {
    if (!r.hidden) {
      ++shown;
      if (r.textContent.toLowerCase().indexOf('google.com') < 0) ++wrong;
    }
  }
  facts.push(
      'filter ' + rows.length + ' ' + shown + ' ' + wrong + ' ' +
      document.getElementById('domain-shown').textContent);
  search.value = '';
  search.dispatchEvent(new Event('input'));
}
for (const p of problems.slice(0, 50)) facts.push('problem ' + p);
facts.push('problems ' + problems.length);
const pre = document.createElement('pre');
pre.id = 'layout-facts';
pre.textContent = '\n' + facts.join('\n') + '\n';
document.body.appendChild(pre);
})();
