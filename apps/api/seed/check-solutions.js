// Runs each catalogue reference solution against its tests (used by the seed tests: node).
// Reads [{title, solution, name, tests: [{input, expected}]}] on stdin; an input that is a JSON
// array is the argument list, anything else the one argument. Prints each failure and a summary.
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const same = (a, b) => {
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') { const ka = Object.keys(a).sort(), kb = Object.keys(b).sort(); return same(ka, kb) && ka.every(k => same(a[k], b[k])); }
  return a === b;
};
let checked = 0, failed = 0;
for (const c of cases) {
  let fn;
  try { fn = new Function(c.solution + '\nreturn ' + c.name + ';')(); } catch (e) { console.log(JSON.stringify({ title: c.title, error: String(e) })); failed++; continue; }
  for (const t of c.tests) {
    let args = JSON.parse(t.input); if (!Array.isArray(args)) args = [args];
    let got; try { got = JSON.parse(JSON.stringify(fn(...JSON.parse(JSON.stringify(args))) ?? null)); } catch (e) { got = 'threw ' + e; }
    checked++;
    if (!same(got, JSON.parse(t.expected))) { failed++; console.log(JSON.stringify({ title: c.title, input: t.input, expected: t.expected, got })); }
  }
}
console.log(JSON.stringify({ checked, failed }));
process.exit(failed ? 1 : 0);
