// The run's report page as one self-contained HTML string: inline CSS, pictures as data: URLs,
// nothing fetched, so it opens the same from a disk, an archive or a mail attachment.

/** A picture of the page: a PNG's bytes with its caption. */
export interface PagePicture {
  title: string;
  png: Uint8Array;
  /** The file beside the page it came from (linked under the picture), if any. */
  file?: string;
  /** Its Vega-Lite spec beside the page, if any. */
  spec?: string;
}

/** Everything the page shows; sections without content are left out. */
export interface PageContent {
  title: string;
  /** The run's headline number, e.g. "exhaustive validation IoU 0.7461". */
  headline?: string;
  summary: [string, string][];
  pictures: PagePicture[];
  /** COCO bbox metrics: one column per model (a detection study has one per detector). */
  coco?: CocoTable;
  /** Other files of the run, linked relatively. */
  files: string[];
  generator: string;
}

/** The 12 COCO numbers of one or more models: rows name, pycocotools' description, one value per column. */
export interface CocoTable {
  columns: string[];
  rows: { name: string; description: string; values: number[] }[];
}

const CSS = `
body { font-family: "Open Sans", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; margin: 0; color: #202124; background: #f6f7f9; }
header { background: #1f3b6e; color: white; padding: 18px 32px; }
header h1 { margin: 0; font-size: 24px; font-weight: 600; }
header p { margin: 6px 0 0; font-size: 17px; opacity: 0.95; }
main { padding: 16px 32px 32px; max-width: 1400px; }
section { background: white; border: 1px solid #dde1e6; border-radius: 6px; padding: 14px 18px; margin: 16px 0; }
h2 { font-size: 18px; margin: 0 0 10px; color: #1f3b6e; }
table { border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; padding: 4px 14px 4px 0; border-bottom: 1px solid #eceff3; vertical-align: top; }
th { color: #5f6368; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td code { white-space: pre; font-size: 13px; }
img { max-width: 100%; height: auto; display: block; border: 1px solid #eceff3; }
.links { font-size: 13px; color: #5f6368; margin-top: 6px; }
a { color: #1f5bb5; }
footer { font-size: 12px; color: #5f6368; padding: 0 32px 24px; }
`;

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const link = (file: string) => `<a href="${escapeHtml(encodeURI(file))}">${escapeHtml(file)}</a>`;

/** The page's HTML. */
export function reportHtml(c: PageContent): string {
  const parts: string[] = [];
  parts.push(`<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(c.title)}</title>\n<style>${CSS}</style>\n</head>\n<body>`);
  parts.push(`<header><h1>${escapeHtml(c.title)}</h1>${c.headline ? `<p>${escapeHtml(c.headline)}</p>` : ''}</header>\n<main>`);
  if (c.summary.length > 0) {
    parts.push('<section id="summary"><h2>Summary</h2><table>');
    for (const [k, v] of c.summary) parts.push(`<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`);
    parts.push('</table></section>');
  }
  if (c.coco && c.coco.rows.length > 0) {
    const heads = c.coco.columns.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
    parts.push(`<section id="coco"><h2>COCO bbox metrics</h2><table><tr><th>metric</th><th>pycocotools</th>${heads}</tr>`);
    for (const m of c.coco.rows) {
      const cells = m.values.map((v) => `<td class="num">${v < 0 ? 'n/a' : v.toFixed(3)}</td>`).join('');
      parts.push(`<tr><td>${escapeHtml(m.name)}</td><td><code>${escapeHtml(m.description)}</code></td>${cells}</tr>`);
    }
    parts.push('</table></section>');
  }
  for (const p of c.pictures) {
    const id = (p.file ?? p.title).replace(/\.[a-z]+$/i, '').replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    const links = [p.file ? link(p.file) : '', p.spec ? `Vega-Lite spec: ${link(p.spec)}` : ''].filter(Boolean).join(' · ');
    parts.push(
      `<section id="${escapeHtml(id)}"><h2>${escapeHtml(p.title)}</h2>` +
        `<img alt="${escapeHtml(p.title)}" src="data:image/png;base64,${Buffer.from(p.png).toString('base64')}">` +
        (links ? `<div class="links">${links}</div>` : '') +
        '</section>',
    );
  }
  if (c.files.length > 0) parts.push(`<section id="files"><h2>Files</h2><div class="links">${c.files.map(link).join(' · ')}</div></section>`);
  parts.push(`</main>\n<footer>${escapeHtml(c.generator)}</footer>\n</body>\n</html>\n`);
  return parts.join('\n');
}
