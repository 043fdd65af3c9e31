// The page model to HTML: the index of projects and one page per project. Every page is
// self-contained but for the site's own stylesheet (and, on the index, the filter's script); a
// Content-Security-Policy lets the browser load nothing else, from anywhere.
import type { Avatar, Hero } from './avatar.ts';
import { html, trusted, type Html, type Value } from './html.ts';
import { REBUILDS, type GraphLayout } from './layout.ts';
import type { JiraLinks, Link } from './links.ts';
import type {
  BuildView,
  GeneratedLink,
  IndexPage,
  ProjectCard,
  ProjectPage,
  RepositoryView,
  Site,
  SyncView,
} from './model.ts';

export const STYLESHEET = 'assets/site.css';
export const FILTER_SCRIPT = 'assets/filter.js';

const POLICY =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'";

interface Shell {
  title: string;
  /** From the page to the site's root folder: '' or '../'. */
  up: string;
  main: Html;
  footer: Html;
  scripts?: string[];
}

function page({ title, up, main, footer, scripts = [] }: Shell): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="Content-Security-Policy" content="${trusted(POLICY)}" />
        <meta name="generator" content="Carbon (carbon site)" />
        <title>${title}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="${up}${STYLESHEET}" />
      </head>
      <body>
        <a class="skip" href="#main">Skip to the content</a>
        <header class="site-header">
          <nav aria-label="Site"><a href="${up}index.html">Carbon · all projects</a></nav>
        </header>
        <main id="main" tabindex="-1">${main}</main>
        <footer class="site-footer">${footer}</footer>
        ${scripts.map((script) => html` <script src="${up}${script}" defer></script> `)}
      </body>
    </html> `.text;
}

function link(target: Link): Html {
  return html`<a href="${target.href}">${target.text}</a>`;
}

function avatarSvg(avatar: Avatar, name: string, size: number): Html {
  const label = `Avatar of ${name}: the initials ${avatar.initials}`;
  return html`<svg
    class="avatar"
    width="${size}"
    height="${size}"
    viewBox="0 0 48 48"
    role="img"
    aria-label="${label}"
  >
    <title>${label}</title>
    <rect width="48" height="48" rx="10" fill="${avatar.background}" />
    <text
      x="24"
      y="24"
      dy="0.35em"
      text-anchor="middle"
      font-size="19"
      font-weight="700"
      fill="${avatar.foreground}"
    >
      ${avatar.initials}
    </text>
  </svg>`;
}

/** The hero band: decorative, so hidden from screen readers. */
function heroSvg(hero: Hero, id: string): Html {
  const gradient = `hero-${id}`;
  return html`<svg
    class="hero"
    viewBox="0 0 400 40"
    preserveAspectRatio="none"
    aria-hidden="true"
    focusable="false"
  >
    <defs>
      <linearGradient id="${gradient}">
        <stop offset="0" stop-color="${hero.from}" />
        <stop offset="1" stop-color="${hero.to}" />
      </linearGradient>
    </defs>
    <rect width="400" height="40" fill="url(#${gradient})" />
  </svg>`;
}

function jiraFacts(jira: JiraLinks): Html {
  if (jira.key === undefined && jira.board === undefined) return html``;
  return html`<dt>Jira</dt>
    <dd>
      ${jira.key === undefined ? '' : jira.keyLink ? link(jira.keyLink) : html`<span>${jira.key}</span>`}
      ${jira.board === undefined ? '' : jira.boardLink ? link(jira.boardLink) : html`<span>board ${jira.board}</span>`}
    </dd>`;
}

export function renderIndex(site: Site): string {
  const index: IndexPage = site.index;
  const { projects, repositories, builds, syncs } = index.totals;
  const main = html` <h1>Projects</h1>
    <p class="summary">
      ${count(projects, 'project')}, ${count(repositories, 'repository', 'repositories')},
      ${count(builds, 'build')}, ${count(syncs, 'sync rule')}.
    </p>
    <div class="filter" hidden>
      <label for="filter">Filter projects by name, id or Jira key</label>
      <input
        id="filter"
        type="search"
        autocomplete="off"
        spellcheck="false"
        aria-controls="projects"
        aria-describedby="filter-count"
      />
      <p id="filter-count" role="status">Showing all ${count(projects, 'project')}</p>
    </div>
    <ul id="projects" class="cards">
      ${index.cards.map(cardItem)}
    </ul>`;
  return page({
    title: 'Carbon projects',
    up: '',
    main,
    footer: footer(site, 'the settings in projects/'),
    scripts: [FILTER_SCRIPT],
  });
}

function cardItem(card: ProjectCard): Html {
  return html`
    <li class="card" data-search="${card.search}">
      ${heroSvg(card.hero, card.id)}
      <div class="card-head">
        ${avatarSvg(card.avatar, card.name, 48)}
        <h2><a href="${card.href}">${card.name}</a></h2>
      </div>
      <dl class="facts">
        <dt>Repositories</dt>
        <dd>${card.repositoryCount}</dd>
        <dt>Builds</dt>
        <dd>${card.buildCount}</dd>
        <dt>Sync rules</dt>
        <dd>${card.syncCount}</dd>
        ${jiraFacts(card.jira)}
      </dl>
    </li>
  `;
}

export function renderProject(project: ProjectPage, site: Site, layout: GraphLayout): string {
  const main = html` <div class="project-head">
      ${heroSvg(project.hero, project.id)}
      <div class="title">
        ${avatarSvg(project.avatar, project.name, 64)}
        <h1>${project.name}</h1>
      </div>
      <dl class="facts">
        <dt>Project id</dt>
        <dd><code>${project.id}</code></dd>
        <dt>Settings</dt>
        <dd><code>${project.source}</code></dd>
        ${jiraFacts(project.jira)} ${imagesFact(project.avatar, project.hero)}
      </dl>
    </div>
    <section aria-labelledby="graph-heading">
      <h2 id="graph-heading">Links between repositories</h2>
      <figure class="graph">
        <div
          class="graph-frame"
          tabindex="0"
          role="region"
          aria-label="Link graph (scrolls sideways on narrow screens)"
        >
          ${trusted(layout.svg(project.graph))}
        </div>
        <figcaption>
          Each box is a repository; an arrow from one to another means its build checks the other
          out, at the branch written on the arrow; ${REBUILDS} after the branch: a push there
          rebuilds the build. Bold brown arrows lead to the carbon repository (Dockerfiles and
          deploy hooks); dashed boxes and arrows belong to paused builds; a dotted box is a
          repository beside the project that its settings do not list.
        </figcaption>
      </figure>
    </section>
    <section aria-labelledby="repositories-heading">
      <h2 id="repositories-heading">Repositories</h2>
      ${project.repositories.map((repository) => repositorySection(repository))}
    </section>`;
  return page({
    title: `${project.name} · Carbon`,
    up: '../',
    main,
    footer: footer(site, project.source),
  });
}

function imagesFact(avatar: Avatar, hero: Hero): Html {
  const sources = [
    avatar.source ? html`<a href="${avatar.source}">avatar</a>` : '',
    hero.source ? html`<a href="${hero.source}">hero image</a>` : '',
  ].filter((item) => item !== '');
  if (sources.length === 0) return html``;
  return html`<dt>Images</dt>
    <dd>
      ${sources.map((source, at) => html`${at > 0 ? ', ' : ''}${source}`)} (not loaded here: the
      site loads nothing from other hosts)
    </dd>`;
}

function repositorySection(repository: RepositoryView): Html {
  return html`
    <section
      class="repository"
      id="${repository.anchor}"
      aria-labelledby="${repository.anchor}-title"
    >
      <h3 id="${repository.anchor}-title">${repository.name} <code>${repository.id}</code></h3>
      <dl class="facts">
        <dt>Agency repository (local)</dt>
        <dd>
          <code>${repository.local.url}</code>, default branch
          <code>${repository.local.defaultBranch}</code>
        </dd>
        ${
          repository.origin
            ? html`<dt>Client repository (origin)</dt>
                <dd>
                  <code>${repository.origin.url}</code>, default branch
                  <code>${repository.origin.defaultBranch}</code>
                </dd>`
            : ''
        }
        ${buildFacts(repository.build)} ${circleCiFacts(repository)}
      </dl>
      ${syncList(repository.syncs)}
    </section>
  `;
}

function buildFacts(build: BuildView | undefined): Html {
  if (!build)
    return html`<dt>Build</dt>
      <dd>none: this repository is not built itself</dd>`;
  const checkout = (item: { repository: string; branch: string }) =>
    html`<a href="#repo-${item.repository}">${item.repository}</a> at <code>${item.branch}</code>`;
  return html`<dt>Build</dt>
    <dd>
      ${build.enabled ? html`pushes to <code>${build.branch}</code> run <code>${build.job}</code>` : html`<strong>paused</strong> (pushes to <code>${build.branch}</code> would run <code>${build.job}</code>)`}
    </dd>
    <dt>Carbon repository</dt>
    <dd>${checkout(build.carbon)}</dd>
    <dt>Also checks out</dt>
    <dd>
      ${build.linked.length === 0 ? 'nothing else' : build.linked.map((item, at) => html`${at > 0 ? ', ' : ''}${checkout(item)}`)}
    </dd>
    <dt>Rebuilt when</dt>
    <dd>
      ${build.rebuiltWhen === '' ? html`only its own pushes build it: nothing it checks out rebuilds it` : build.rebuiltWhen}
    </dd>
    <dt>ECR repository</dt>
    <dd><code>${build.ecrRepository}</code> (<code>${build.imageUri}</code>)</dd>
    <dt>ECS</dt>
    <dd>
      cluster <code>${build.cluster}</code>, service <code>${build.service}</code>, region
      <code>${build.region}</code>
    </dd>
    ${
      build.provision
        ? html`<dt>Provision</dt>
            <dd>${build.provision}</dd>`
        : ''
    }
    <dt>Deploy</dt>
    <dd>${build.deploy}</dd>`;
}

function circleCiFacts(repository: RepositoryView): Html {
  const circleci = repository.circleci;
  const links: Value =
    circleci.kind === 'project'
      ? html`<dt>CircleCI pipelines</dt>
          <dd>${link(circleci.pipelines)}</dd>
          <dt>Status badge</dt>
          <dd>${link(circleci.badge)}</dd>`
      : html`<dt>CircleCI</dt>
          <dd>${circleci.reason}</dd>`;
  return html`${links}
  ${generatedFact('Generated config', repository.config, 'no config: it neither builds nor syncs')}
  ${repository.schedules ? generatedFact('Schedules', repository.schedules, '') : ''}`;
}

function generatedFact(term: string, file: GeneratedLink | undefined, none: string): Html {
  if (!file)
    return html`<dt>${term}</dt>
      <dd>${none}</dd>`;
  const missing = file.exists
    ? ''
    : html` <span class="note">(not generated yet: run <code>carbon generate</code>)</span>`;
  return html`<dt>${term}</dt>
    <dd>
      <a href="${file.href}"><code>${file.text}</code></a
      >${missing}
    </dd>`;
}

function syncList(syncs: SyncView[]): Html {
  if (syncs.length === 0) return html``;
  return html`<h4>Sync rules</h4>
    <ul class="syncs">
      ${syncs.map(
        (sync) => html`
          <li>
            <p>
              ${sync.words}.
              <span class="note"
                >cron <code>${sync.cron}</code>, schedule <code>${sync.name}</code></span
              >
            </p>
            <p class="runs">
              Next runs (UTC):
              ${sync.nextRuns.map((run, at) => html`${at > 0 ? '; ' : ''}<time datetime="${run.at}">${run.text}</time>`)}
            </p>
          </li>
        `,
      )}
    </ul>`;
}

function footer(site: Site, source: string): Html {
  return html`<p>
    Generated by <code>carbon site</code> from ${source} and carbon.config.ts. Next runs as of
    <time datetime="${site.asOf}">${site.asOfText}</time>.
  </p>`;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
