/** Row factories for read-side tests: plain inserts through Drizzle, deterministic values. */
import type { Database } from "../../src/db/client.ts";
import {
  githubIssues,
  githubLabels,
  githubMilestones,
  githubProjectFields,
  githubProjectItems,
  githubProjectRepositories,
  githubProjects,
  type Issue,
  type Label,
  type Milestone,
  type NewIssue,
  type NewLabel,
  type NewMilestone,
  type NewProject,
  type Project,
  type Repository,
  repositories,
} from "../../src/db/schema.ts";

let counter = 0;
const next = () => ++counter;

export async function seedRepository(db: Database, fullName: string): Promise<Repository> {
  const [owner = "", name = ""] = fullName.split("/");
  const [row] = await db
    .insert(repositories)
    .values({ fullName, owner, name, githubId: 1_000_000 + next() })
    .returning();
  return row!;
}

export async function seedIssue(
  db: Database,
  repo: Repository,
  values: Partial<NewIssue> = {},
): Promise<Issue> {
  const n = next();
  const [row] = await db
    .insert(githubIssues)
    .values({
      repositoryId: repo.id,
      repositoryFullName: repo.fullName,
      githubId: 3_000_000_000 + n,
      nodeId: `I_node${n}`,
      number: n,
      title: `Issue ${n}`,
      state: "open",
      ...values,
    })
    .returning();
  return row!;
}

export async function seedMilestone(
  db: Database,
  repo: Repository,
  values: Partial<NewMilestone> = {},
): Promise<Milestone> {
  const n = next();
  const [row] = await db
    .insert(githubMilestones)
    .values({
      repositoryId: repo.id,
      repositoryFullName: repo.fullName,
      githubId: 5_000_000 + n,
      nodeId: `MI_node${n}`,
      number: n,
      title: `Milestone ${n}`,
      ...values,
    })
    .returning();
  return row!;
}

export async function seedLabel(
  db: Database,
  repo: Repository,
  values: Partial<NewLabel> = {},
): Promise<Label> {
  const n = next();
  const [row] = await db
    .insert(githubLabels)
    .values({
      repositoryId: repo.id,
      repositoryFullName: repo.fullName,
      githubId: 7_000_000 + n,
      nodeId: `LA_node${n}`,
      name: `label-${n}`,
      color: "ededed",
      ...values,
    })
    .returning();
  return row!;
}

export async function seedProject(
  db: Database,
  values: Partial<NewProject> & { linkedTo?: Repository[]; items?: number } = {},
): Promise<Project> {
  const n = next();
  const { linkedTo = [], items = 0, ...rest } = values;
  const [project] = await db
    .insert(githubProjects)
    .values({
      githubId: 7_000 + n,
      nodeId: `PVT_node${n}`,
      ownerLogin: "octo-org",
      number: n,
      title: `Project ${n}`,
      ...rest,
    })
    .returning();
  for (const repo of linkedTo) {
    await db.insert(githubProjectRepositories).values({ projectId: project!.id, repositoryId: repo.id });
  }
  for (let i = 0; i < items; i++) {
    await db.insert(githubProjectItems).values({
      projectId: project!.id,
      nodeId: `PVTI_node${n}_${i}`,
      contentType: "DraftIssue",
      title: `Draft ${i}`,
    });
  }
  return project!;
}

export async function seedProjectFields(db: Database, project: Project) {
  await db.insert(githubProjectFields).values([
    { projectId: project.id, nodeId: `PVTF_title_${project.id}`, name: "Title", dataType: "TITLE" },
    {
      projectId: project.id,
      nodeId: `PVTSSF_status_${project.id}`,
      name: "Status",
      dataType: "SINGLE_SELECT",
      options: [
        { id: "opt1", name: "Todo" },
        { id: "opt2", name: "Done" },
      ],
    },
    {
      projectId: project.id,
      nodeId: `PVTIF_sprint_${project.id}`,
      name: "Sprint",
      dataType: "ITERATION",
      configuration: {
        duration: 14,
        startDay: 1,
        iterations: [{ id: "it1", title: "Sprint 1", startDate: "2024-01-01", duration: 14 }],
        completedIterations: [],
      },
    },
  ]);
}
