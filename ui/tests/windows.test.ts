/**
 * The windows in headless Chromium (Debian's, driven by playwright-core) against the built `dist/`, with
 * mocked IPC: each window with data and empty, light and dark, at 1280×800. Screenshots are saved to
 * `test-results/screenshots/` for review; no console error is allowed.
 */
import { createReadStream, existsSync, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve } from "node:path";

import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  allSessions,
  dashboard,
  emptyDashboard,
  emptyPage,
  errorLog,
  importedSessionView,
  modelPriceList,
  neverReceived,
  PROJECTS,
  pricedSettings,
  receiving,
  savedSettings,
  sessionPage,
  sessionView,
  toolLog,
  WEEK_COST,
} from "./mock-data";
import { mockIpcScript, type MockAnswers } from "./mock-ipc";

const DIST = resolve(__dirname, "../dist");
const SHOTS = resolve(__dirname, "../test-results/screenshots");
const CHROMIUM = process.env["CHROMIUM"] ?? "/usr/bin/chromium";
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

let server: Server;
let base = "";
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(join(DIST, "index.html"))) {
    throw new Error("ui/dist is missing: run `npm run build` first");
  }
  server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(DIST, path === "/" ? "index.html" : path);
    if (!file.startsWith(DIST) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => server?.close(done));
});

interface Opened {
  page: Page;
  errors: string[];
  close: () => Promise<void>;
}

async function open(view: string, answers: MockAnswers, scheme: "light" | "dark"): Promise<Opened> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    colorScheme: scheme,
    timezoneId: "Europe/Berlin",
    locale: "en-GB",
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      errors.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  // The clock starts at a fixed instant and runs: a fixed time would also stop ECharts' animations (they
  // step by the date), leaving every animated bar at its first frame, empty.
  await page.clock.install({ time: new Date("2026-11-24T15:00:00+01:00") });
  await page.addInitScript(mockIpcScript(answers));
  await page.goto(`${base}/index.html#${view}`);
  return { page, errors, close: () => context.close() };
}

/** Brings each chart into view once, as scrolling does: a chart is made when it first comes near the view. */
async function showCharts(page: Page): Promise<void> {
  for (const chart of await page.locator(".chart").all()) {
    await chart.scrollIntoViewIfNeeded();
  }
  await page.evaluate(() => window.scrollTo(0, 0));
}

async function shot(page: Page, name: string): Promise<void> {
  await showCharts(page);
  // Charts animate in: let them settle before the picture.
  await page.waitForTimeout(700);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

const kpi = (page: Page, label: string) => page.getByRole("region", { name: label }).locator(".kpi__value");

describe.each(["light", "dark"] as const)("dashboard (%s)", (scheme) => {
  it("shows the week's figures and charts", async () => {
    const { page, errors, close } = await open("dashboard", { dashboard, status: receiving }, scheme);
    await expect.poll(() => kpi(page, "Cost").textContent()).toBe(`$${WEEK_COST.toFixed(2)}`);
    expect(await kpi(page, "Sessions").textContent()).toBe("14");
    expect(await kpi(page, "Commits").textContent()).toBe("9");
    // The mocked data is 12 s old when the page opens; the page clock runs on while it draws.
    const status = (await page.getByRole("status").first().textContent()) ?? "";
    const age = Number(/Receiving from Claude Code 2\.1\.197, last data (\d+) s ago/.exec(status)?.[1]);
    expect(age, status).toBeGreaterThanOrEqual(12);
    expect(age, status).toBeLessThan(60);
    // Every chart drew something: ECharts renders SVG paths.
    for (const name of [
      "Cost over time, stacked by model",
      "Tokens over time by type",
      "Cost by model",
      "Tool calls with success rate and p95 duration",
      "API request latency p95 over time by model",
      "Sessions started over time",
      "Average tokens per API request over time",
      "Cost by reasoning effort",
      "Cost and sessions by project",
      "Cost by project tag",
      "Cost and sessions by terminal",
      "Sessions with and without a commit",
      "Tool calls over time by tool",
      "Tool success rate over time",
      "Claude Code events over time by name",
      "API errors over time by status code",
      "Accepted and rejected edits over time",
    ]) {
      await page.getByRole("img", { name }).scrollIntoViewIfNeeded();
      await expect.poll(() => page.getByRole("img", { name }).locator("svg path").count(), { message: name }).toBeGreaterThan(1);
    }
    await page.getByRole("radio", { name: "Model" }).click();
    await expect.poll(() => page.getByRole("img", { name: "Tokens over time by model" }).locator("svg text").allTextContents()).toContain("claude-opus-4-8");
    await page.getByRole("radio", { name: "Type" }).click();
    expect(await page.getByRole("radio", { name: "7 days" }).getAttribute("aria-checked")).toBe("true");
    expect(await page.locator("#latency-title ~ .panel__note, section[aria-labelledby=latency-title] .panel__note").first().textContent()).toContain(
      "claude-opus-4-8: p50 3.8 s · p95 9.4 s",
    );
    expect(await page.getByRole("region", { name: "Most expensive sessions" }).locator("tbody tr").count()).toBe(5);
    expect(await page.getByRole("region", { name: "Sessions that committed" }).textContent()).toContain("0.64 commits per session");
    await shot(page, `dashboard-${scheme}`);
    expect(errors).toEqual([]);
    await close();
  });

  it("shows how to connect Claude Code when nothing has arrived", async () => {
    const { page, errors, close } = await open("dashboard", { dashboard: emptyDashboard, status: neverReceived }, scheme);
    await expect.poll(() => page.getByRole("heading", { name: "Connect Claude Code" }).count()).toBe(1);
    expect(await page.locator("pre").textContent()).toContain('"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317"');
    expect(await page.getByRole("status").first().textContent()).toContain("Waiting for Claude Code on 127.0.0.1:4317 (gRPC) and 127.0.0.1:4318 (HTTP)");
    await shot(page, `dashboard-empty-${scheme}`);
    expect(errors).toEqual([]);
    await close();
  });
});

describe("dashboard breakdowns", () => {
  it("switches latency percentiles and the project attribute, and explains how to tag projects", async () => {
    const { page, errors, close } = await open("dashboard", { dashboard, status: receiving }, "light");
    await expect.poll(() => page.getByRole("heading", { name: "API latency p95 by model" }).count()).toBe(1);
    await page.getByRole("radio", { name: "p50" }).click();
    await expect.poll(() => page.getByRole("img", { name: "API request latency p50 over time by model" }).count()).toBe(1);
    await showCharts(page);
    const projects = page.getByRole("img", { name: "Cost and sessions by project" }).locator("svg text");
    await expect.poll(() => projects.allTextContents()).toContain("acme/billing-api");
    expect(await projects.allTextContents()).toContain("no project");
    // Each project budget under the projects' chart; the Cost figure keeps the budgets of all projects.
    const projectBudgets = page.locator(".project-budget");
    await expect.poll(() => projectBudgets.count()).toBe(2);
    const rows = await projectBudgets.allTextContents();
    expect(rows[0]).toMatch(/acme\/billing-api\s*today\s*84\s*%/);
    expect(rows[1]).toMatch(/acme\/web-app\s*this week\s*42\s*%/);
    expect((await projectBudgets.first().getAttribute("title")) ?? "").toBe("acme/billing-api: $2.10 of $2.50 today");
    expect(await page.locator(".kpis .budget").count()).toBe(3);
    const bars = page.getByRole("img", { name: "Cost by project tag" }).locator("svg text");
    await expect.poll(() => bars.allTextContents()).toContain("ccmeter");
    expect(await bars.allTextContents()).toContain("not set");
    await page.getByLabel("Group sessions by").selectOption("team");
    await expect.poll(() => page.getByRole("img", { name: "Cost by team tag" }).locator("svg text").allTextContents()).toContain("platform");
    await expect.poll(() => page.getByRole("img", { name: "Cost by reasoning effort" }).locator("svg text").allTextContents()).toContain("not sent");
    expect(errors).toEqual([]);
    await close();

    const untagged = { ...dashboard, sessions: { ...dashboard.sessions, by_attribute: [] } };
    const second = await open("dashboard", { dashboard: untagged, status: receiving }, "dark");
    await expect.poll(() => second.page.getByRole("region", { name: "Cost by tag" }).textContent()).toContain('OTEL_RESOURCE_ATTRIBUTES="project=my-app"');
    expect(second.errors).toEqual([]);
    await second.close();
  });

  it("opens the history from the most expensive sessions", async () => {
    const { page, close } = await open("dashboard", { dashboard, status: receiving, open_window: null }, "light");
    await page.getByRole("button", { name: "Open history" }).click();
    await expect.poll(async () => (await calls(page, "open_window")).at(-1)).toEqual({ kind: "history" });
    await close();
  });
});

describe("dashboard behaviour", () => {
  it("keeps the chosen period and refreshes in place when new data is committed", async () => {
    const { page, errors, close } = await open("dashboard", { dashboard, status: receiving }, "light");
    await expect.poll(() => kpi(page, "Cost").textContent()).toBe(`$${WEEK_COST.toFixed(2)}`);
    await page.getByRole("radio", { name: "30 days" }).click();
    const calls = () =>
      page.evaluate(() =>
        (window as unknown as { __ccmeterMock: { state: { calls: Array<{ command: string; args: Record<string, string> }> } } }).__ccmeterMock.state.calls
          .filter((c) => c.command === "dashboard")
          .map((c) => c.args),
      );
    await expect.poll(async () => (await calls()).at(-1)).toEqual({ since: "2026-10-26", until: "2026-11-25" });

    const more = { ...dashboard, summary: { ...dashboard.summary, cost_usd: dashboard.summary.cost_usd + 1.5 } };
    await page.evaluate((value) => {
      const mock = (window as unknown as { __ccmeterMock: { answer: (c: string, v: unknown) => void; emit: (e: string) => void } }).__ccmeterMock;
      mock.answer("dashboard", value);
      mock.emit("store-committed");
    }, more);
    await expect.poll(() => kpi(page, "Cost").textContent()).toBe(`$${(WEEK_COST + 1.5).toFixed(2)}`);
    expect((await calls()).at(-1), "the refresh asks for the period the user chose").toEqual({ since: "2026-10-26", until: "2026-11-25" });
    expect(await page.getByRole("radio", { name: "30 days" }).getAttribute("aria-checked")).toBe("true");
    expect(errors).toEqual([]);
    await close();
  });

  it("is keyboard navigable: the period is picked with Tab and Enter", async () => {
    const { page, close } = await open("dashboard", { dashboard, status: receiving }, "light");
    await expect.poll(() => kpi(page, "Cost").textContent()).not.toBe("");
    await page.getByRole("radio", { name: "Today" }).focus();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    expect(await page.getByRole("radio", { name: "7 days" }).getAttribute("aria-checked")).toBe("true");
    await page.getByRole("radio", { name: "Today" }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("radio", { name: "Today" }).getAttribute("aria-checked")).toBe("true");
    await close();
  });

  it("refuses a custom period that ends before it starts, saying why", async () => {
    const { page, close } = await open("dashboard", { dashboard, status: receiving }, "light");
    await page.getByLabel("First day").fill("2026-11-20");
    await page.getByLabel("Last day").fill("2026-11-10");
    await page.getByRole("button", { name: "Show" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toBe("The last day comes before the first.");
    await close();
  });
});

interface Mock {
  state: { calls: Array<{ command: string; args: Record<string, unknown> }> };
  answer: (command: string, value: unknown) => void;
  emit: (event: string) => void;
}

async function calls(page: Page, command: string): Promise<Array<Record<string, unknown>>> {
  return page.evaluate(
    (name) => (window as unknown as { __ccmeterMock: Mock }).__ccmeterMock.state.calls.filter((c) => c.command === name).map((c) => c.args),
    command,
  );
}

const historyAnswers = {
  sessions: sessionPage,
  models: ["claude-opus-4-8", "claude-sonnet-4-5", "claude-haiku-4-5"],
  projects: PROJECTS,
  status: receiving,
  session: sessionView,
  "plugin:dialog|save": "/tmp/ccmeter-sessions.csv",
  export_sessions: 120,
  export_session: 14,
  log: toolLog,
};

describe.each(["light", "dark"] as const)("history (%s)", (scheme) => {
  it("lists the sessions, pages through them and opens one with its timeline", async () => {
    const { page, errors, close } = await open("history", historyAnswers, scheme);
    await expect.poll(() => page.locator("tbody tr").count()).toBe(50);
    expect(await page.getByRole("navigation", { name: "Pages" }).textContent()).toContain("1–50 of 120 sessions");
    const first = allSessions[0];
    expect(await page.locator("tbody tr").first().textContent()).toContain(first?.id?.slice(0, 8) ?? "?");
    expect(await page.locator("tbody tr").first().textContent()).toContain(first?.project ?? "—");
    await shot(page, `history-${scheme}`);

    await page.locator("tbody tr").first().click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toContain(first?.id ?? "?");
    await expect.poll(() => page.locator(".timeline tbody tr").count()).toBe(18);
    expect(await page.locator(".timeline tbody").textContent()).toContain("Prompt text not stored (48 characters)");
    expect(await page.locator(".timeline tbody").textContent()).toContain("2.1 s (first token 356 ms) · Explore subagent");
    expect(await page.locator(".timeline tbody").textContent()).toContain("cc-plugin-agents-md · default-bundle · hooks");
    // The subagent's own row, and the main thread's as the rest of the session's cost.
    const subagents = page.getByRole("region", { name: "Subagents" });
    expect(await subagents.locator("tbody tr").count()).toBe(2);
    expect(await subagents.locator("tbody tr").first().textContent()).toContain("Explore");
    expect(await subagents.locator("tbody tr").first().textContent()).toContain("$0.0002");
    expect(await subagents.locator("tbody tr").last().textContent()).toContain("Main thread");
    expect(await page.locator(".meta").textContent()).toContain("fixture-org/demo-repo (main)");
    await page.getByRole("img", { name: "Cumulative cost over the session" }).scrollIntoViewIfNeeded();
    await expect.poll(() => page.getByRole("img", { name: "Cumulative cost over the session" }).locator("svg path").count()).toBeGreaterThan(2);
    await shot(page, `session-${scheme}`);
    expect(errors).toEqual([]);
    await close();
  });
});

describe("history behaviour", () => {
  it("marks the estimated cost of a session read from Claude Code's transcripts, request by request", async () => {
    const { page, errors, close } = await open("history", { ...historyAnswers, session: importedSessionView }, "light");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(50);
    await page.locator("tbody tr").first().click();
    await expect.poll(() => page.locator(".timeline tbody tr").count()).toBe(4);
    expect(await kpi(page, "Cost").textContent()).toBe("≈ $0.15");
    expect(await page.getByRole("region", { name: "Cost" }).locator(".estimate").textContent()).toContain(
      "≈ all of it estimated from Claude Code's transcripts; 1 request with no known price not counted",
    );
    expect(await page.locator(".meta").textContent()).toContain("cost estimated from Claude Code's transcripts");
    const rows = await page.locator(".timeline tbody tr").allTextContents();
    expect(rows[0]).toContain("≈ $0.03");
    expect(rows[3]).toContain("claude-opus-5-5");
    expect(rows[3]).toContain("no price");
    expect(rows[3]).not.toContain("$0");
    await shot(page, "session-imported");
    expect(errors).toEqual([]);
    await close();
  });

  it("sorts, filters and searches through the backend, keeping the choices", async () => {
    const { page, errors, close } = await open("history", historyAnswers, "light");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(50);
    await page.getByRole("button", { name: "Cost" }).click();
    await expect.poll(async () => (await calls(page, "sessions")).at(-1)?.["query"]).toMatchObject({ sort: "cost", descending: true, offset: 0 });
    expect(await page.getByRole("columnheader", { name: "Cost" }).getAttribute("aria-sort")).toBe("descending");
    await page.getByRole("button", { name: "Cost" }).click();
    await expect.poll(async () => (await calls(page, "sessions")).at(-1)?.["query"]).toMatchObject({ sort: "cost", descending: false });

    await page.getByLabel("Model").selectOption("claude-sonnet-4-5");
    await expect.poll(async () => (await calls(page, "sessions")).at(-1)?.["query"]).toMatchObject({ model: "claude-sonnet-4-5", sort: "cost" });
    await page.getByLabel("Search").fill("5b90");
    await expect.poll(async () => (await calls(page, "sessions")).at(-1)?.["query"]).toMatchObject({ text: "5b90", model: "claude-sonnet-4-5" });
    expect((await calls(page, "sessions")).at(-1)?.["query"]).toMatchObject({ project: null });

    // A project, then the sessions with none: `""`, which the backend reads as "no project".
    expect(await page.getByLabel("Project").locator("option").allTextContents()).toEqual(["All projects", ...PROJECTS, "No project"]);
    await page.getByLabel("Project").selectOption("acme/web-app");
    await expect.poll(async () => (await calls(page, "sessions")).at(-1)?.["query"]).toMatchObject({ project: "acme/web-app", model: "claude-sonnet-4-5" });
    await page.getByLabel("Project").selectOption({ label: "No project" });
    await expect.poll(async () => (await calls(page, "sessions")).at(-1)?.["query"]).toMatchObject({ project: "" });
    await page.getByLabel("Project").selectOption({ label: "All projects" });
    await expect.poll(async () => (await calls(page, "sessions")).at(-1)?.["query"]).toMatchObject({ project: null });

    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(async () => (await calls(page, "sessions")).at(-1)?.["query"]).toMatchObject({ offset: 50, limit: 50 });
    expect(errors).toEqual([]);
    await close();
  });

  it("exports the whole filtered table through the save dialog", async () => {
    const { page, close } = await open("history", historyAnswers, "light");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(50);
    await page.getByRole("button", { name: "Export CSV" }).click();
    await expect.poll(() => page.getByRole("status").last().textContent()).toBe("Exported 120 sessions as CSV.");
    const exported = (await calls(page, "export_sessions")).at(-1);
    expect(exported).toMatchObject({ path: "/tmp/ccmeter-sessions.csv", format: "csv", query: { limit: 0, offset: 0 } });
    const dialog = (await calls(page, "plugin:dialog|save")).at(-1);
    expect(dialog).toMatchObject({ options: { defaultPath: "ccmeter-sessions.csv" } });
    await close();
  });

  it("filters a session's timeline by kind and opens from the keyboard", async () => {
    const { page, close } = await open("history", historyAnswers, "light");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(50);
    await page.locator("tbody tr").first().focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator(".timeline tbody tr").count()).toBe(18);
    for (const kind of ["Prompts", "API requests", "Decisions", "Errors", "Start-up", "Other"]) {
      await page.getByRole("button", { name: new RegExp(`^${kind}`) }).click();
    }
    await expect.poll(() => page.locator(".timeline tbody tr").count()).toBe(3);
    expect(await page.locator(".timeline tbody").textContent()).toContain("Bash · failed");
    await page.getByRole("button", { name: "← All sessions" }).click();
    await expect.poll(() => page.locator(".sessions tbody tr").count()).toBe(50);
    await close();
  });

  it("says so when nothing matches", async () => {
    const { page, close } = await open("history", { ...historyAnswers, sessions: emptyPage }, "light");
    await expect.poll(() => page.locator("tbody").textContent()).toContain("No sessions match.");
    await shot(page, "history-empty-light");
    await close();
  });
});

describe.each(["light", "dark"] as const)("logs (%s)", (scheme) => {
  it("lists tool runs and API errors, filters them, and opens a run's session", async () => {
    const { page, errors, close } = await open("history", historyAnswers, scheme);
    await expect.poll(() => page.locator(".sessions tbody tr").count()).toBe(50);
    await page.getByRole("tab", { name: "Tool runs" }).click();
    await expect.poll(() => page.locator(".log tbody tr").count()).toBe(50);
    expect(await page.getByRole("navigation", { name: "Pages" }).textContent()).toContain("1–50 of 423 tool runs");
    expect(await page.locator(".log tbody tr").nth(3).textContent()).toContain("Failed");
    await page.getByRole("button", { name: "Details" }).first().click();
    expect(await page.locator(".log__details pre").textContent()).toContain('"decision_source": "config"');
    await shot(page, `log-tools-${scheme}`);

    const before = (await calls(page, "log")).length;
    await page.getByRole("combobox", { name: /^Tool/ }).selectOption("Bash");
    await expect.poll(async () => (await calls(page, "log")).at(-1)?.["query"]).toMatchObject({ kind: "tools", tool: "Bash", offset: 0 });
    await page.waitForTimeout(300);
    expect((await calls(page, "log")).length, "one request per filter change").toBe(before + 1);
    await page.getByLabel("Failed only").check();
    await expect.poll(async () => (await calls(page, "log")).at(-1)?.["query"]).toMatchObject({ tool: "Bash", failed_only: true });
    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(async () => (await calls(page, "log")).at(-1)?.["query"]).toMatchObject({ offset: 50, failed_only: true });

    // As JSON text: playwright's serialisable-argument type cannot unfold the recursive JSON value type.
    const errors_ = JSON.stringify(errorLog);
    await page.evaluate(
      (text) => (window as unknown as { __ccmeterMock: { answer: (c: string, v: unknown) => void } }).__ccmeterMock.answer("log", JSON.parse(text)),
      errors_,
    );
    await page.getByRole("tab", { name: "API errors" }).click();
    await expect.poll(() => page.locator(".log tbody tr").count()).toBe(6);
    expect(await calls(page, "log").then((c) => c.at(-1)?.["query"])).toMatchObject({ kind: "api_errors", tool: null, failed_only: false, offset: 0 });
    expect(await page.locator(".log tbody").textContent()).toContain("HTTP 529");
    expect(await page.locator(".log tbody").textContent()).toContain("No response");
    await page.getByRole("combobox", { name: /^Status/ }).selectOption("429");
    await expect.poll(async () => (await calls(page, "log")).at(-1)?.["query"]).toMatchObject({ kind: "api_errors", status_code: 429 });
    await shot(page, `log-errors-${scheme}`);

    await page.locator(".log tbody tr").first().getByRole("button").first().click();
    await expect.poll(() => page.locator(".timeline tbody tr").count()).toBe(18);
    expect(errors).toEqual([]);
    await close();
  });
});

describe("deleting history", () => {
  it("deletes the shown days only after the user confirms", async () => {
    const answers = { ...historyAnswers, "plugin:dialog|message": "Cancel", delete_days: { events: 120, metric_points: 40, spans: 0, sessions: 3 } };
    const { page, close } = await open("history", answers, "light");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(50);
    await page.getByRole("button", { name: "Delete these days…" }).click();
    await expect.poll(async () => (await calls(page, "plugin:dialog|message")).length).toBe(1);
    const question = (await calls(page, "plugin:dialog|message"))[0];
    expect(String(question?.["message"])).toContain("from 2026-10-26 to 2026-11-24");
    expect(String(question?.["message"])).toContain("120 sessions");
    expect(await calls(page, "delete_days"), "cancelled: nothing deleted").toEqual([]);

    await page.evaluate(() => (window as unknown as { __ccmeterMock: Mock }).__ccmeterMock.answer("plugin:dialog|message", "Delete"));
    await page.getByRole("button", { name: "Delete these days…" }).click();
    await expect.poll(async () => (await calls(page, "delete_days")).at(-1)).toEqual({ since: "2026-10-26", until: "2026-11-25" });
    await expect.poll(() => page.getByRole("status").last().textContent()).toContain("3 sessions removed");
    await close();
  });

  it("deletes one session from its page and goes back to the list", async () => {
    const answers = { ...historyAnswers, "plugin:dialog|message": "Delete", delete_session: { events: 14, metric_points: 9, spans: 0, sessions: 1 } };
    const { page, close } = await open("history", answers, "light");
    await expect.poll(() => page.locator("tbody tr").count()).toBe(50);
    await page.locator("tbody tr").first().click();
    await page.getByRole("button", { name: "Delete session…" }).click();
    await expect.poll(async () => (await calls(page, "delete_session")).at(-1)).toEqual({ id: allSessions[0]?.id });
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("History");
    expect(await page.getByRole("status").last().textContent()).toContain("14 events, 9 metric points");
    await close();
  });
});

describe.each(["light", "dark"] as const)("settings (%s)", (scheme) => {
  it("shows the saved settings", async () => {
    const { page, errors, close } = await open("settings", { settings: pricedSettings, status: receiving, model_prices: modelPriceList }, scheme);
    await expect.poll(() => page.getByLabel("Daily limit in USD").inputValue()).toBe("10");
    expect(await page.getByLabel("Monthly alert thresholds in percent").inputValue()).toBe("80, 100");
    expect(await page.getByLabel("Weekly limit in USD").isDisabled()).toBe(true);
    await shot(page, `settings-${scheme}`);
    expect(errors).toEqual([]);
    await close();
  });
});

describe("settings behaviour", () => {
  it("saves what the form says, through the same settings the CLI uses", async () => {
    const { page, close } = await open("settings", { settings: savedSettings, status: receiving, save_settings: savedSettings }, "light");
    await expect.poll(() => page.getByLabel("Daily limit in USD").inputValue()).toBe("10");
    await page.getByRole("checkbox", { name: "Weekly" }).check();
    await page.getByLabel("Weekly limit in USD").fill("40");
    await page.getByRole("checkbox", { name: "Keep all history" }).uncheck();
    await page.getByLabel("Days of history to keep").fill("180");
    await page.getByRole("checkbox", { name: /Keep the text of prompts/ }).check();
    await page.getByLabel("OTLP/gRPC address").fill("127.0.0.1:14317");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(async () => (await calls(page, "save_settings")).length).toBe(1);
    // Only what the form changed: the app applies it to the settings as stored, keeping changes made meanwhile.
    const sent = (await calls(page, "save_settings"))[0]?.["patch"];
    expect(sent).toEqual({
      budgets: { week: { limit_usd: 40, thresholds: [50, 80, 100] } },
      retention_days: 180,
      store_prompt_text: true,
      grpc_addr: "127.0.0.1:14317",
    });
    await expect.poll(() => page.getByRole("status").last().textContent()).toContain("take effect when ccmeter next starts");
    await close();
  });

  it("lists each model's price with where it comes from, and prices a model that has none", async () => {
    const answers = { settings: pricedSettings, status: receiving, model_prices: modelPriceList, save_settings: pricedSettings };
    const { page, errors, close } = await open("settings", answers, "light");
    const prices = page.getByRole("table", { name: /The price each model's estimated requests are costed at/ });
    await expect.poll(() => prices.locator("tbody tr").count()).toBe(4);
    const rows = await prices.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).innerText.replace(/\s+/g, " ").trim()));
    expect(rows).toEqual([
      "claude-opus-5-5 12 requests without a price no price its tokens are counted, its cost is not Set a price",
      "claude-opus-4-8 420 requests estimated learned from 64 requests $5.00 $25.00 $0.50 $6.25 $10.00 —",
      "claude-sonnet-4-5 180 requests estimated bundled table $3.00 $15.00 $0.30 $3.75 $6.00 Set a price",
      "claude-haiku-4-5 60 requests estimated your price $1.00 $5.00 $0.10 $1.25 $2.00",
    ]);
    // The user's own price is a row of its own, the cache prices it leaves blank shown as the ones derived.
    expect(await page.getByLabel("Model of price 1").inputValue()).toBe("claude-haiku-4-5");
    expect(await page.getByLabel("claude-haiku-4-5 input price").inputValue()).toBe("1.00");
    expect(await page.getByLabel("claude-haiku-4-5 cache read price").getAttribute("placeholder")).toBe("0.10");

    // "Set a price" on the model without one: a row for it, its input price focused.
    await page.getByRole("button", { name: "Set a price of claude-opus-5-5" }).click();
    expect(await page.getByLabel("Model of price 2").inputValue()).toBe("claude-opus-5-5");
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("claude-opus-5-5 input price");
    await page.keyboard.type("five");
    await page.getByLabel("claude-opus-5-5 output price").fill("25");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("claude-opus-5-5's input price is in US dollars per million tokens");
    expect(await calls(page, "save_settings")).toEqual([]);

    await page.getByLabel("claude-opus-5-5 input price").fill("5");
    await page.getByLabel("claude-opus-5-5 cache read price").fill("0.25");
    await shot(page, "settings-prices");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(async () => (await calls(page, "save_settings")).length).toBe(1);
    expect((await calls(page, "save_settings"))[0]?.["patch"]).toEqual({
      price_overrides: [
        { model: "claude-haiku-4-5", input: 1, output: 5 },
        { model: "claude-opus-5-5", input: 5, output: 25, cache_read: 0.25 },
      ],
    });
    await expect.poll(() => page.getByRole("status").last().textContent()).toContain("Every estimate is costed at the new prices");
    // The list is read again: the save priced the estimates anew.
    await expect.poll(async () => (await calls(page, "model_prices")).length).toBe(2);

    // A row without a model is refused before anything is sent; removing one sends the list without it.
    await page.getByRole("button", { name: "Add a price" }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Model of price 2");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Name the model of price 2");
    await page.getByRole("button", { name: "Remove the price of Price 2" }).click();
    await page.getByRole("button", { name: "Remove the price of claude-haiku-4-5" }).click();
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(async () => (await calls(page, "save_settings")).length).toBe(2);
    expect((await calls(page, "save_settings"))[1]?.["patch"]).toEqual({ price_overrides: [] });
    expect(errors).toEqual([]);
    await close();
  });

  it("turns the Prometheus endpoint on at its default address, and off again", async () => {
    const { page, errors, close } = await open("settings", { settings: savedSettings, status: receiving, save_settings: savedSettings }, "light");
    await expect.poll(() => page.getByLabel("Prometheus endpoint address").inputValue()).toBe("127.0.0.1:9466");
    expect(await page.getByLabel("Prometheus endpoint address").isDisabled()).toBe(true);
    await page.getByRole("checkbox", { name: "Serve the totals to Prometheus" }).check();
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(async () => (await calls(page, "save_settings"))[0]?.["patch"]).toEqual({ metrics_addr: "127.0.0.1:9466" });
    await expect.poll(() => page.getByRole("status").last().textContent()).toContain("take effect when ccmeter next starts");
    await close();

    const on = { ...savedSettings, metrics_addr: "127.0.0.1:19466" };
    const again = await open("settings", { settings: on, status: receiving, save_settings: savedSettings }, "light");
    await expect.poll(() => again.page.getByLabel("Prometheus endpoint address").inputValue()).toBe("127.0.0.1:19466");
    await again.page.getByRole("checkbox", { name: "Serve the totals to Prometheus" }).uncheck();
    await again.page.getByRole("button", { name: "Save" }).click();
    await expect.poll(async () => (await calls(again.page, "save_settings"))[0]?.["patch"]).toEqual({ metrics_addr: null });
    expect([...errors, ...again.errors]).toEqual([]);
    await again.close();
  });

  it("says when the prices cannot be read, and still saves the rest", async () => {
    const answers = { settings: savedSettings, status: receiving, model_prices: { __reject: { kind: "database", message: "the database is locked" } } };
    const { page, errors, close } = await open("settings", answers, "light");
    await expect.poll(() => page.getByText("Cannot read the prices: the database is locked").count()).toBe(1);
    expect(await page.getByLabel("Daily limit in USD").inputValue()).toBe("10");
    expect(errors).toEqual([]);
    await close();
  });

  it("edits the project budgets beside the others and sends them whole", async () => {
    const answers = { settings: savedSettings, status: receiving, save_settings: savedSettings, projects: PROJECTS };
    const { page, errors, close } = await open("settings", answers, "light");
    await expect.poll(() => page.getByLabel("Project 1", { exact: true }).inputValue()).toBe("acme/billing-api");
    expect(await page.getByLabel("acme/billing-api limit in USD").inputValue()).toBe("2.5");
    expect(await page.getByLabel("acme/billing-api budget period").inputValue()).toBe("day");
    await page.getByRole("button", { name: "Add a project budget" }).click();
    await page.getByLabel("Project 2", { exact: true }).fill("acme/web-app");
    await page.getByLabel("acme/web-app budget period").selectOption("week");
    await page.getByLabel("acme/web-app limit in USD").fill("12");
    await page.getByLabel("acme/web-app alert percentages").fill("80,100");
    expect(await page.locator("#known-projects option").evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(PROJECTS);
    await shot(page, "settings-project-budgets");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(async () => (await calls(page, "save_settings")).length).toBe(1);
    expect((await calls(page, "save_settings"))[0]?.["patch"]).toEqual({
      budgets: {
        projects: [
          { project: "acme/billing-api", period: "day", budget: { limit_usd: 2.5, thresholds: [50, 80, 100] } },
          { project: "acme/web-app", period: "week", budget: { limit_usd: 12, thresholds: [80, 100] } },
        ],
      },
    });

    // Removing a row sends the list without it; a row without a project is refused before anything is sent.
    await page.getByRole("button", { name: "Remove the budget of acme/billing-api" }).click();
    await page.getByRole("button", { name: "Add a project budget" }).click();
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Name the project of each project budget");
    expect((await calls(page, "save_settings")).length).toBe(1);
    expect(errors).toEqual([]);
    await close();
  });

  it("says what to change instead of saving a bad form, and shows the backend's reason", async () => {
    const { page, close } = await open("settings", { settings: savedSettings, status: receiving }, "light");
    await expect.poll(() => page.getByLabel("Daily limit in USD").inputValue()).toBe("10");
    await page.getByLabel("Daily alert thresholds in percent").fill("50, lots");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("whole percentages separated by commas");
    expect(await calls(page, "save_settings")).toEqual([]);

    await page.getByLabel("Daily alert thresholds in percent").fill("50, 80");
    await page.getByLabel("OTLP/HTTP address").fill("localhost");
    // The mock rejects save_settings as the backend does: an IpcError of kind invalid_settings.
    await page.evaluate(() => {
      const internals = (window as unknown as { __TAURI_INTERNALS__: { invoke: (c: string, a: unknown) => Promise<unknown> } }).__TAURI_INTERNALS__;
      const original = internals.invoke.bind(internals);
      internals.invoke = (command, args) =>
        command === "save_settings"
          ? Promise.reject({
              kind: "invalid_settings",
              message: 'the OTLP/HTTP address "localhost" must be an IP address and port, e.g. 127.0.0.1:4318',
            })
          : original(command, args);
    });
    await page.getByRole("button", { name: "Save" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toBe('the OTLP/HTTP address "localhost" must be an IP address and port, e.g. 127.0.0.1:4318');
    await close();
  });
});

describe("connecting Claude Code", () => {
  const plan = {
    path: "/home/ada/.claude/settings.json",
    exists: true,
    changes: [
      { key: "env.CLAUDE_CODE_ENABLE_TELEMETRY", before: null, after: '"1"' },
      { key: "env.OTEL_METRICS_EXPORTER", before: null, after: '"otlp"' },
      { key: "env.OTEL_LOGS_EXPORTER", before: null, after: '"otlp"' },
      { key: "env.OTEL_EXPORTER_OTLP_PROTOCOL", before: '"http/protobuf"', after: '"grpc"' },
      { key: "env.OTEL_EXPORTER_OTLP_ENDPOINT", before: '"http://localhost:4318"', after: '"http://127.0.0.1:4317"' },
      { key: "env.OTEL_METRICS_INCLUDE_REPOSITORY", before: null, after: '"true"' },
      {
        key: "statusLine",
        before: '{"type": "command", "command": "~/.claude/statusline.sh"}',
        after: '{"command":"/usr/bin/ccmeter statusline --then \'~/.claude/statusline.sh\'","type":"command"}',
      },
    ],
  };
  const connected = { path: plan.path, backup: "/home/ada/.claude/settings.json.ccmeter-backup-20261124-150405", changed: 7 };

  it("shows what it will change, writes only after the user agrees, and says where the backup is", async () => {
    const answers = { dashboard: emptyDashboard, status: neverReceived, connect_plan: plan, connect_apply: connected };
    const { page, errors, close } = await open("dashboard", answers, "light");
    await page.getByRole("button", { name: "Connect Claude Code…" }).click();
    await expect.poll(() => page.locator(".changes tbody tr").count()).toBe(7);
    expect(await page.locator(".changes").textContent()).toContain('"http://localhost:4318"');
    expect(await page.locator(".changes").textContent()).toContain("ccmeter statusline --then");
    expect(await calls(page, "connect_apply"), "nothing written while reviewing").toEqual([]);
    await shot(page, "connect-review-light");
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    await expect.poll(() => page.locator(".auto__done").textContent()).toContain("settings.json.ccmeter-backup-20261124-150405");
    expect(await calls(page, "connect_apply")).toHaveLength(1);
    expect(errors).toEqual([]);
    await close();
  });

  it("says so when Claude Code is already connected, and shows why when the file is broken", async () => {
    const answers = { dashboard: emptyDashboard, status: neverReceived, connect_plan: { ...plan, changes: [] } };
    const { page, close } = await open("dashboard", answers, "dark");
    await page.getByRole("button", { name: "Connect Claude Code…" }).click();
    await expect.poll(() => page.locator(".auto__done").textContent()).toContain("already set up");
    await page.evaluate(() =>
      (window as unknown as { __ccmeterMock: Mock }).__ccmeterMock.answer("connect_plan", {
        __reject: {
          kind: "claude_config",
          message: "/home/ada/.claude/settings.json is not a Claude Code settings file",
        },
      }),
    );
    await page.getByRole("button", { name: "Check again" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("is not a Claude Code settings file");
    await close();
  });
});

describe.each(["light", "dark"] as const)("welcome (%s)", (scheme) => {
  it("says what ccmeter does and where it listens, then connects Claude Code", async () => {
    const answers = { status: neverReceived, settings: { ...savedSettings, start_at_login: false } };
    const { page, errors, close } = await open("welcome", answers, scheme);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Welcome to ccmeter");
    const facts = page.getByRole("region", { name: "What ccmeter does" });
    await expect.poll(() => facts.textContent()).toContain("gRPC on 127.0.0.1:4317 and HTTP on 127.0.0.1:4318");
    expect(await facts.textContent()).toContain("/home/ada/.local/share/dev.ccmeter.ccmeter/ccmeter.db");
    expect(await page.getByRole("button", { name: "Connect Claude Code…" }).isVisible()).toBe(true);
    expect(await page.getByRole("checkbox", { name: "Start ccmeter when I log in" }).isChecked()).toBe(false);
    await shot(page, `welcome-${scheme}`);
    expect(errors).toEqual([]);
    await close();
  });
});

describe("welcome behaviour", () => {
  it("turns start at login on, opens the dashboard, and notices the first data", async () => {
    const answers = {
      status: neverReceived,
      settings: { ...savedSettings, start_at_login: false },
      save_settings: { ...savedSettings, start_at_login: true },
      open_window: null,
    };
    const { page, close } = await open("welcome", answers, "light");
    const login = page.getByRole("checkbox", { name: "Start ccmeter when I log in" });
    await expect.poll(() => login.isEnabled()).toBe(true);
    await login.check();
    await expect.poll(async () => (await calls(page, "save_settings")).length).toBe(1);
    // Only the one field: nothing else the window read is written back.
    expect((await calls(page, "save_settings"))[0]?.["patch"]).toEqual({ start_at_login: true });
    await page.getByRole("button", { name: "Open the dashboard" }).click();
    await expect.poll(async () => (await calls(page, "open_window")).at(-1)).toEqual({ kind: "dashboard" });

    // Claude Code's first export arrives while the window is open.
    await page.evaluate((status) => {
      const mock = (window as unknown as { __ccmeterMock: { answer: (c: string, v: unknown) => void; emit: (e: string) => void } }).__ccmeterMock;
      mock.answer("status", status);
      mock.emit("store-committed");
    }, receiving);
    await expect.poll(() => page.getByRole("heading", { name: "Claude Code is connected" }).isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Connect Claude Code…" }).count()).toBe(0);
    await shot(page, "welcome-connected-light");
    await close();
  });
});

describe("welcome: the history from Claude Code's transcripts", () => {
  it("offers the import, shows its progress, says what it added, and can be declined", async () => {
    const imported = {
      files: 412,
      unchanged_files: 0,
      unreadable_files: 0,
      responses: 3_180,
      held_back: 0,
      before_since: 0,
      sessions: 57,
      added: 3_180,
      known: 0,
      estimated_nanos: 48_210_000_000,
      estimated_usd: 48.21,
      priced_learned: 2_900,
      priced_override: 0,
      priced_table: 280,
      no_price: 0,
      skipped: { too_long: 3, unreadable: 0, unfinished: 0 },
    };
    const answers = {
      status: receiving,
      settings: { ...savedSettings, follow_transcripts: null },
      import_transcripts: { __held: imported },
    };
    const { page, errors, close } = await open("welcome", answers, "light");
    const offer = page.getByRole("region", { name: "Import your history from Claude Code's transcripts" });
    await expect.poll(() => offer.isVisible()).toBe(true);
    await shot(page, "welcome-history-offer-light");
    await page.getByRole("button", { name: "Import my history" }).click();
    await expect.poll(() => page.getByRole("button", { name: "Importing…" }).isDisabled()).toBe(true);
    await page.evaluate(() =>
      (window as unknown as { __ccmeterMock: { emit: (e: string, p: unknown) => void } }).__ccmeterMock.emit("transcripts-import-progress", {
        read: 180,
        all: 412,
      }),
    );
    await expect.poll(() => offer.textContent()).toContain("180 of 412 transcripts read");
    expect(await page.getByRole("progressbar", { name: "Transcripts read" }).getAttribute("value")).toBe("180");
    await shot(page, "welcome-history-importing-light");
    await page.evaluate(() => (window as unknown as { __ccmeterMock: { release: (c: string) => void } }).__ccmeterMock.release("import_transcripts"));
    await expect
      .poll(() => page.getByRole("status").filter({ hasText: "Added" }).textContent())
      .toBe("Added 3,180 requests from 57 sessions, estimated at $48.21. Passed over: 3 lines or files that could not be read.");
    await shot(page, "welcome-history-imported-light");
    expect(errors).toEqual([]);
    await close();

    const declined = await open("welcome", { ...answers, save_settings: { ...savedSettings, follow_transcripts: false } }, "light");
    await declined.page.getByRole("button", { name: "Not now" }).click();
    await expect.poll(async () => (await calls(declined.page, "save_settings"))[0]?.["patch"]).toEqual({ follow_transcripts: false });
    await expect.poll(() => declined.page.getByRole("region", { name: "Import your history from Claude Code's transcripts" }).count()).toBe(0);
    await declined.close();
  });
});

const about = {
  diagnostics: {
    version: "0.1.0",
    platform: "linux x86_64",
    database: "~/.local/share/dev.ccmeter.ccmeter/ccmeter.db",
    data_dir: "~/.local/share/dev.ccmeter.ccmeter",
    log_dir: "~/.local/state/dev.ccmeter.ccmeter/logs",
    database_bytes: 3_412_000,
    schema: 5,
    sessions: 214,
    events: 48_211,
    metric_points: 9_120,
    spans: 0,
    first_data: "2026-10-02T08:12:00Z",
    last_data: "2026-11-24T13:59:48Z",
    claude_code_version: "2.1.197",
    migration_backups: 1,
    store_prompt_text: false,
    retention_days: null,
    budgets: 2,
    alerts_enabled: true,
    status_line: {
      at: "2026-11-24T13:55:00Z",
      claude_code_version: "2.1.332",
      limits: [
        { kind: "five_hour", used_pct: 42, resets_at: "2026-11-24T16:30:00Z" },
        { kind: "seven_day", used_pct: 41, resets_at: "2026-11-30T08:00:00Z" },
      ],
    },
    status_line_waiting: 0,
    transcripts: { following: true, files: 412, estimated_requests: 3_180, unpriced_requests: 0, lines_too_long: 3, lines_unreadable: 0 },
  },
  receivers: ["gRPC 127.0.0.1:4317 (listening)", "HTTP 127.0.0.1:4318 (listening)"],
  text:
    "ccmeter 0.1.0 (linux x86_64)\ndatabase: ~/.local/share/dev.ccmeter.ccmeter/ccmeter.db (3.4 MB, schema 5, 1 migration backups)\n" +
    "status line: last report 2026-11-24T13:55:00Z (Claude Code 2.1.332): 5h 42 % (resets 2026-11-24T16:30:00Z), 7d 41 % (resets 2026-11-30T08:00:00Z)\n",
};

describe.each(["light", "dark"] as const)("about (%s)", (scheme) => {
  it("shows the version, the data and the receivers, and copies the diagnostics", async () => {
    const { page, errors, close } = await open("about", { about }, scheme);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("ccmeter 0.1.0");
    const facts = page.locator("dl");
    expect(await facts.textContent()).toContain("3.4 MB · schema 5 · 1 backup from upgrades");
    expect(await facts.textContent()).toContain("214 sessions");
    expect(await facts.textContent()).toContain("~/.local/state/dev.ccmeter.ccmeter/logs");
    expect(await facts.textContent()).toContain("HTTP 127.0.0.1:4318 (listening)");
    expect(await facts.textContent()).toContain("5-hour limit 42 % (resets");
    await page.getByRole("button", { name: "Copy diagnostics" }).click();
    await expect.poll(() => page.getByRole("button", { name: /Copied|Select and copy/ }).count()).toBe(1);
    expect(await page.getByLabel("Diagnostics").textContent()).toContain("schema 5");
    await shot(page, `about-${scheme}`);
    expect(errors).toEqual([]);
    await close();
  });
});
