/** GitHub's JSON shapes for stored entities (REST responses and webhook payloads share them). */
import { iso, isoOrNull } from "./clock.ts";
import type { Store } from "./store.ts";
import type { SimIssue, SimLabel, SimMilestone, SimRepo, SimUser } from "./types.ts";

export interface Urls {
  /** API base, e.g. http://127.0.0.1:4010 (no trailing slash). */
  api: string;
  /** Web base for html_url, e.g. https://github.com. */
  html: string;
}

export type Json = Record<string, unknown>;

interface RepoCounts {
  version: number;
  open: number;
  milestones: Map<number, { open: number; closed: number }>;
}

const countsCache = new WeakMap<SimRepo, RepoCounts>();

/** Open-issue and per-milestone counts, recomputed only after an issue changed (one pass, not one per issue). */
function repoCounts(repo: SimRepo): RepoCounts {
  const cached = countsCache.get(repo);
  if (cached && cached.version === repo.version) return cached;
  const c: RepoCounts = { version: repo.version, open: 0, milestones: new Map() };
  for (const i of repo.issues.values()) {
    if (i.state === "open") c.open++;
    if (i.milestoneId === null) continue;
    const m = c.milestones.get(i.milestoneId) ?? { open: 0, closed: 0 };
    if (i.state === "open") m.open++;
    else m.closed++;
    c.milestones.set(i.milestoneId, m);
  }
  countsCache.set(repo, c);
  return c;
}

export function openCount(repo: SimRepo): number {
  return repoCounts(repo).open;
}

export function userJson(u: SimUser, urls: Urls): Json {
  const api = `${urls.api}/users/${u.login}`;
  return {
    login: u.login,
    id: u.id,
    node_id: u.nodeId,
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    gravatar_id: "",
    url: api,
    html_url: `${urls.html}/${u.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: u.type,
    user_view_type: "public",
    site_admin: false,
  };
}

export function orgJson(u: SimUser, urls: Urls): Json {
  const api = `${urls.api}/orgs/${u.login}`;
  return {
    login: u.login,
    id: u.id,
    node_id: u.nodeId,
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    description: null,
  };
}

export function repoJson(store: Store, repo: SimRepo, urls: Urls): Json {
  const owner = store.userById(repo.ownerId);
  const full = `${owner.login}/${repo.name}`;
  const u = `${urls.api}/repos/${full}`;
  const open = repoCounts(repo).open;
  return {
    id: repo.id,
    node_id: repo.nodeId,
    name: repo.name,
    full_name: full,
    private: repo.private,
    owner: userJson(owner, urls),
    html_url: `${urls.html}/${full}`,
    description: repo.description,
    fork: false,
    url: u,
    archive_url: `${u}/{archive_format}{/ref}`,
    assignees_url: `${u}/assignees{/user}`,
    blobs_url: `${u}/git/blobs{/sha}`,
    branches_url: `${u}/branches{/branch}`,
    collaborators_url: `${u}/collaborators{/collaborator}`,
    comments_url: `${u}/comments{/number}`,
    commits_url: `${u}/commits{/sha}`,
    compare_url: `${u}/compare/{base}...{head}`,
    contents_url: `${u}/contents/{+path}`,
    contributors_url: `${u}/contributors`,
    deployments_url: `${u}/deployments`,
    downloads_url: `${u}/downloads`,
    events_url: `${u}/events`,
    forks_url: `${u}/forks`,
    git_commits_url: `${u}/git/commits{/sha}`,
    git_refs_url: `${u}/git/refs{/sha}`,
    git_tags_url: `${u}/git/tags{/sha}`,
    git_url: `git://github.com/${full}.git`,
    issue_comment_url: `${u}/issues/comments{/number}`,
    issue_events_url: `${u}/issues/events{/number}`,
    issues_url: `${u}/issues{/number}`,
    keys_url: `${u}/keys{/key_id}`,
    labels_url: `${u}/labels{/name}`,
    languages_url: `${u}/languages`,
    merges_url: `${u}/merges`,
    milestones_url: `${u}/milestones{/number}`,
    notifications_url: `${u}/notifications{?since,all,participating}`,
    pulls_url: `${u}/pulls{/number}`,
    releases_url: `${u}/releases{/id}`,
    ssh_url: `git@github.com:${full}.git`,
    stargazers_url: `${u}/stargazers`,
    statuses_url: `${u}/statuses/{sha}`,
    subscribers_url: `${u}/subscribers`,
    subscription_url: `${u}/subscription`,
    tags_url: `${u}/tags`,
    teams_url: `${u}/teams`,
    trees_url: `${u}/git/trees{/sha}`,
    clone_url: `https://github.com/${full}.git`,
    mirror_url: null,
    hooks_url: `${u}/hooks`,
    svn_url: `https://github.com/${full}`,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: "main",
    open_issues_count: open,
    is_template: false,
    topics: [],
    has_issues: repo.hasIssues,
    has_projects: true,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.private ? "private" : "public",
    pushed_at: iso(repo.updatedAt),
    created_at: iso(repo.createdAt),
    updated_at: iso(repo.updatedAt),
    allow_forking: true,
    web_commit_signoff_required: false,
    license: null,
    forks: 0,
    open_issues: open,
    watchers: 0,
  };
}

/** GET /repos/{owner}/{repo} answers the full-repository shape: the repository plus network counts. */
export function fullRepoJson(store: Store, repo: SimRepo, urls: Urls): Json {
  const owner = store.userById(repo.ownerId);
  return {
    ...repoJson(store, repo, urls),
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
    network_count: 0,
    subscribers_count: 0,
    ...(owner.type === "Organization" ? { organization: userJson(owner, urls) } : {}),
  };
}

export function labelJson(store: Store, l: SimLabel, urls: Urls): Json {
  const repo = store.repoById(l.repoId);
  return {
    id: l.id,
    node_id: l.nodeId,
    url: `${urls.api}/repos/${store.fullName(repo)}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    default: l.default,
    description: l.description,
  };
}

export function milestoneJson(store: Store, m: SimMilestone, urls: Urls): Json {
  const repo = store.repoById(m.repoId);
  const full = store.fullName(repo);
  const { open, closed } = repoCounts(repo).milestones.get(m.id) ?? { open: 0, closed: 0 };
  return {
    url: `${urls.api}/repos/${full}/milestones/${m.number}`,
    html_url: `${urls.html}/${full}/milestone/${m.number}`,
    labels_url: `${urls.api}/repos/${full}/milestones/${m.number}/labels`,
    id: m.id,
    node_id: m.nodeId,
    number: m.number,
    title: m.title,
    description: m.description,
    creator: userJson(store.userById(m.creatorId), urls),
    open_issues: open,
    closed_issues: closed,
    state: m.state,
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
    due_on: isoOrNull(m.dueOn),
    closed_at: isoOrNull(m.closedAt),
  };
}

export function issueJson(store: Store, i: SimIssue, urls: Urls): Json {
  const repo = store.repoById(i.repoId);
  const full = store.fullName(repo);
  const u = `${urls.api}/repos/${full}/issues/${i.number}`;
  const assignees = i.assigneeIds.map((id) => userJson(store.userById(id), urls));
  const labels: Json[] = [];
  for (const id of i.labelIds) {
    const l = store.labels.get(id);
    if (l) labels.push(labelJson(store, l, urls));
  }
  const milestone = i.milestoneId === null ? undefined : store.milestones.get(i.milestoneId);
  const out: Json = {
    id: i.id,
    node_id: i.nodeId,
    url: u,
    repository_url: `${urls.api}/repos/${full}`,
    labels_url: `${u}/labels{/name}`,
    comments_url: `${u}/comments`,
    events_url: `${u}/events`,
    html_url: `${urls.html}/${full}/${i.pullRequest ? "pull" : "issues"}/${i.number}`,
    number: i.number,
    state: i.state,
    title: i.title,
    body: i.body,
    user: userJson(store.userById(i.userId), urls),
    labels,
    assignee: assignees[0] ?? null,
    assignees,
    milestone: milestone ? milestoneJson(store, milestone, urls) : null,
    locked: i.locked,
    active_lock_reason: i.activeLockReason,
    comments: i.comments,
    closed_at: isoOrNull(i.closedAt),
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
    closed_by: i.closedById === null ? null : userJson(store.userById(i.closedById), urls),
    author_association: "MEMBER",
    state_reason: i.stateReason,
    timeline_url: `${u}/timeline`,
    performed_via_github_app: null,
    reactions: {
      url: `${u}/reactions`,
      total_count: 0,
      "+1": 0,
      "-1": 0,
      laugh: 0,
      hooray: 0,
      confused: 0,
      heart: 0,
      rocket: 0,
      eyes: 0,
    },
  };
  if (i.pullRequest) {
    out.draft = i.pullRequest.draft;
    out.pull_request = {
      url: `${urls.api}/repos/${full}/pulls/${i.number}`,
      html_url: `${urls.html}/${full}/pull/${i.number}`,
      diff_url: `${urls.html}/${full}/pull/${i.number}.diff`,
      patch_url: `${urls.html}/${full}/pull/${i.number}.patch`,
      merged_at: isoOrNull(i.pullRequest.mergedAt),
    };
  }
  return out;
}

/** GET /user and /users/{username}: the public-user shape (profile fields are empty in the simulator). */
export function publicUserJson(u: SimUser, urls: Urls): Json {
  return {
    ...userJson(u, urls),
    name: u.login,
    company: null,
    blog: "",
    location: null,
    email: null,
    hireable: null,
    bio: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: "2008-01-14T04:33:35Z",
    updated_at: "2008-01-14T04:33:35Z",
  };
}
