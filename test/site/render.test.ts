// The graph as Graphviz lays it out, made accessible, and the pages as HTML: escaped, offline,
// deterministic.
import { describe, expect, it } from 'vitest';
import type { LinkGraph } from '../../src/site/graph.ts';
import { escapeHtml, html } from '../../src/site/html.ts';
import { loadLayout, toDot } from '../../src/site/layout.ts';
import { renderIndex, renderProject } from '../../src/site/render.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { makeWorkspace } from '../helpers/workspace.ts';
import { modelOf, OTHER_WORKSPACE } from './fixtures.ts';

const TRICKY: LinkGraph = {
  title: 'Link graph of <Tricky> & "Co"',
  nodes: [
    {
      id: 'a',
      label: 'A "quoted" <b>app</b> \\ & co',
      kind: 'builds',
      description: 'A <app> builds',
    },
    { id: 'b', label: 'B', kind: 'no-build', description: 'B & friends' },
  ],
  edges: [
    {
      from: 'a',
      to: 'b',
      branch: 'feature/x',
      kind: 'carbon',
      paused: false,
      rebuilds: false,
      description: 'A checks out B at "feature/x"',
    },
  ],
};

describe('the link graph', () => {
  it('writes DOT with every name quoted and escaped', () => {
    const dot = toDot(TRICKY);
    expect(dot).toContain(
      'n0 [id="graph_node_0", class="builds", label="A \\"quoted\\" <b>app</b> \\\\ & co"',
    );
    expect(dot).toContain('n0 -> n1 [id="graph_edge_0", class="carbon", label="feature/x"');
  });

  it('is laid out by Graphviz into an SVG whose nodes and edges are labelled images', async () => {
    const svg = (await loadLayout()).svg(TRICKY);
    expect(svg.startsWith('<svg class="link-graph" width="')).toBe(true);
    expect(svg).toContain(
      'role="group" aria-labelledby="graph-title"><title id="graph-title">Link graph of &lt;Tricky&gt; &amp; &quot;Co&quot;</title>',
    );
    expect(
      svg.match(
        /<g id="graph-node-\d+" class="node (builds|no-build)" role="img" aria-label="[^"]+">/g,
      ),
    ).toHaveLength(2);
    expect(svg).toContain(
      '<g id="graph-edge-0" class="edge carbon" role="img" aria-label="A checks out B at &quot;feature/x&quot;"><title>',
    );
    // Graphviz's own markup for the label: laid out text, escaped.
    expect(svg).toContain('&lt;b&gt;app&lt;/b&gt;');
    expect(svg).not.toMatch(/<b>|<\?xml|<!DOCTYPE|<!--/);
    expect(svg.match(/<g[ >]/g)?.length).toBe(svg.match(/<\/g>/g)?.length);
    expect(svg.endsWith('</svg>')).toBe(true);
    // Edges are curves Graphviz routed, with arrowheads: not boxes placed by hand.
    expect(svg).toMatch(/<path fill="none" stroke="#7a4f00"[^>]* d="M[\d.,-]+C/);
  });

  it('marks the checkouts whose changes rebuild the build: ↻ after the branch, and said to screen readers', async () => {
    const site = await modelOf(REPO_ROOT);
    const graph = site.projects[0]!.graph;
    const dot = toDot(graph);
    expect(dot).toContain('class="linked rebuilds", label="develop ↻"');
    // The paused Clients' checkouts rebuild nothing.
    expect(dot).toMatch(/n3 -> n4 \[id="graph_edge_8", class="carbon", label="develop",/);
    const svg = (await loadLayout()).svg(graph);
    expect(svg).toContain(
      'aria-label="Taxaroo API checks out Taxaroo App at develop; a push there rebuilds it"',
    );
    const page = flat(renderProject(site.projects[0]!, site, await loadLayout()));
    expect(page).toContain(
      '<dt>Rebuilt when</dt> <dd> Taxaroo-Carbon develop or Taxaroo-API-V2 develop changes </dd>',
    );
    expect(page).toContain('only its own pushes build it: nothing it checks out rebuilds it');
    expect(page).toContain('↻ after the branch: a push there rebuilds the build.');
  });

  it('is the same every time', async () => {
    const layout = await loadLayout();
    expect(layout.svg(TRICKY)).toBe(layout.svg(TRICKY));
  });
});

/** A page with every run of white space made one space: what matters is the markup, not its indentation. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('the pages', async () => {
  const layout = await loadLayout();

  it('escape whatever the settings say', async () => {
    const root = makeWorkspace(OTHER_WORKSPACE);
    const site = await modelOf(root);
    const index = flat(renderIndex(site));
    expect(index).toContain('Beta &lt;Co&gt; &amp; &quot;Sons&quot;');
    expect(index).not.toContain('<Co>');
    const beta = flat(
      renderProject(
        site.projects.find((p) => p.id === 'beta')!,
        site,
        layout,
      ),
    );
    expect(beta).toContain('<h1>Beta &lt;Co&gt; &amp; &quot;Sons&quot;</h1>');
    expect(escapeHtml(`<a href='x'>`)).toBe('&lt;a href=&#39;x&#39;&gt;');
    expect(html`<p>${['a', html`<i>b</i>`, undefined, false, 3]}</p>`.text).toBe(
      '<p>a<i>b</i>3</p>',
    );
  });

  it('load nothing from another host: only the site stylesheet and script, under a strict policy', async () => {
    const site = await modelOf(REPO_ROOT);
    for (const text of [renderIndex(site), renderProject(site.projects[0]!, site, layout)].map(
      flat,
    )) {
      expect(text).toContain(
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none';`,
      );
      const loaded = [
        ...text.matchAll(/<(?:img|script|link|iframe|source)\b[^>]*?(?:src|href)="([^"]+)"/g),
      ].map((match) => match[1]);
      expect(
        loaded.every(
          (url) => url === 'data:,' || /^(\.\.\/)?assets\/(site\.css|filter\.js)$/.test(url!),
        ),
      ).toBe(true);
      expect(text).not.toMatch(/<img\b|url\(http|@import/);
    }
    // The remote images are there as links only.
    const project = renderProject(site.projects[0]!, site, layout);
    expect(project).toContain(
      '<a href="https://images.unsplash.com/photo-1490971688337-f2c79913ea7d?ixlib=rb-1.2.1&amp;auto=format',
    );
  });

  it('mark up landmarks, headings and the filter for assistive technology', async () => {
    const site = await modelOf(REPO_ROOT);
    const index = flat(renderIndex(site));
    for (const part of [
      '<html lang="en">',
      '<main id="main"',
      '<nav aria-label="Site">',
      '<footer',
      'href="#main"',
    ])
      expect(index).toContain(part);
    expect(index).toMatch(/<label for="filter">[^<]+<\/label>/);
    expect(index).toContain('<p id="filter-count" role="status">Showing all 1 project</p>');
    const project = flat(renderProject(site.projects[0]!, site, layout));
    expect(project.match(/<h1>/g)).toHaveLength(1);
    expect(project).toContain('role="img" aria-label="Avatar of Taxaroo: the initials TA"');
    expect(project).toMatch(/<svg class="hero"[^>]*aria-hidden="true"/);
    expect(project).toContain(
      '<time datetime="2026-11-26T16:00Z">Thu 26 Nov 2026 16:00–17:00 UTC</time>',
    );
  });

  it('show the environment step of a build that has one, before its deploy', async () => {
    const site = await modelOf(REPO_ROOT);
    const project = flat(renderProject(site.projects[0]!, site, layout));
    expect(project.match(/<dt>Provision<\/dt>/g)).toHaveLength(1);
    expect(project).toMatch(
      /<dt>Provision<\/dt> <dd>runs infra\/app-up\.sh from the carbon repository, after the push and before the deploy<\/dd> <dt>Deploy<\/dt>/,
    );
  });
});
