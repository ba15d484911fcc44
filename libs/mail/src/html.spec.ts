import { escapeHtml, html, raw } from './html';

describe('html', () => {
  it('escapes every interpolated value, so a movement purpose cannot inject markup', () => {
    const purpose = `<script>alert("x")</script> & 'convoy'`;
    expect(html`<p title="${purpose}">${purpose}</p>`.toString()).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;convoy&#39;">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;convoy&#39;</p>',
    );
  });

  it('keeps accents and other text as is', () => {
    expect(html`<b>${'Mopti → Tombouctou, été'}</b>`.toString()).toBe(
      '<b>Mopti → Tombouctou, été</b>',
    );
  });

  it('does not escape nested html fragments twice', () => {
    const cell = html`<td>${'A&B'}</td>`;
    // Prettier reflows html`` templates; the exact output matters here.
    // prettier-ignore
    const row = html`<tr>${cell}</tr>`;
    expect(row.toString()).toBe('<tr><td>A&amp;B</td></tr>');
  });

  it('renders arrays item by item and joins them without separators', () => {
    const places = ['Gao', '<Kidal>'];
    // prettier-ignore
    const list = html`<ul>${places.map((p) => html`<li>${p}</li>`)}</ul>`;
    expect(list.toString()).toBe('<ul><li>Gao</li><li>&lt;Kidal&gt;</li></ul>');
    expect(html`${['a<', ['b>']]}`.toString()).toBe('a&lt;b&gt;');
  });

  it('renders null, undefined and false as nothing, numbers as text', () => {
    const flagged = false;
    expect(html`${null}${undefined}${flagged && html`<em>!</em>`}${0}${12.5}`.toString()).toBe(
      '012.5',
    );
  });

  it('lets raw() fragments through unchanged', () => {
    expect(html`${raw('<hr>')}${'<hr>'}`.toString()).toBe('<hr>&lt;hr&gt;');
  });

  it("drops its own text's indentation, never an interpolated value's", () => {
    const note = 'ligne 1\n    ligne 2';
    // prettier-ignore
    const out = html`<div>
      <p>${note}</p>
      ${html`<ul>
        <li>${raw('a\n  b')}</li>
      </ul>`}
    </div>`;
    expect(out.toString()).toBe(
      '<div>\n<p>ligne 1\n    ligne 2</p>\n<ul>\n<li>a\n  b</li>\n</ul>\n</div>',
    );
  });

  it('escapeHtml escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
    expect(escapeHtml(42)).toBe('42');
  });
});
