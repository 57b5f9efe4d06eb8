import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";

/**
 * No Docker engine or cluster runs here: the files that ship Preflight are read as the tools
 * would read them, and checked for what operations rely on (images, ports, health checks,
 * Redis that keeps its data, probes on /readyz and /healthz, the tokens from a Secret).
 */

const text = (file: string) => readFile(file, "utf8");

describe("the Dockerfile", () => {
  it("builds on Node 24, ships production dependencies only and records the checklists' commit", async () => {
    const dockerfile = await text("Dockerfile");
    const from = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => match[1]);
    expect(from).toEqual(["node:24-bookworm-slim", "node:24-bookworm-slim", "node:24-bookworm-slim"]);
    expect(dockerfile).toContain("npm ci --omit=dev");
    expect(dockerfile).toMatch(/^ARG CHECKLISTS_COMMIT/m);
    expect(dockerfile).toContain("checklists/.commit");
    // The image starts the bot exactly as `npm run start:dist` does, heap flags and malloc
    // arenas included.
    const pkg = JSON.parse(await text("package.json")) as { scripts: Record<string, string> };
    const [environment, ...command] = pkg.scripts["start:dist"]?.split(" ") ?? [];
    expect(environment).toBe("MALLOC_ARENA_MAX=2");
    expect(dockerfile).toMatch(/^ENV .*\bMALLOC_ARENA_MAX=2\b/m);
    const cmd = dockerfile.match(/^CMD (\[.*\])$/m)?.[1];
    expect(cmd && (JSON.parse(cmd) as string[])).toEqual(command);
    expect(cmd).toContain("--max-old-space-size=128");
    expect(dockerfile).toContain("/healthz");
    const ignored = (await text(".dockerignore")).split("\n");
    expect(ignored).toContain("checklists/.commit");
  });

  it("tsx and esbuild are development tools, not what the image installs", async () => {
    const pkg = JSON.parse(await text("package.json")) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
      engines: { node: string };
    };
    expect(Object.keys(pkg.dependencies)).not.toContain("tsx");
    expect(Object.keys(pkg.devDependencies)).toContain("tsx");
    expect(pkg.engines.node).toBe(">=22");
    const lock = JSON.parse(await text("package-lock.json")) as {
      packages: Record<string, { dev?: boolean }>;
    };
    expect(lock.packages["node_modules/tsx"]?.dev).toBe(true);
    expect(lock.packages["node_modules/esbuild"]?.dev).toBe(true);
  });
});

describe("docker-compose.yml", () => {
  it("runs Preflight on Redis with AOF on and noeviction, health-checked, with Prometheus optional", async () => {
    const compose = parse(await text("docker-compose.yml")) as {
      services: Record<string, Record<string, unknown>>;
    };
    const { preflight = {}, redis = {}, prometheus = {} } = compose.services;
    expect(preflight.ports).toEqual(["3000:3000"]);
    expect(JSON.stringify(preflight.healthcheck)).toContain("/readyz");
    expect((preflight.environment as Record<string, string>).REDIS_URL).toBe("redis://redis:6379");
    expect((preflight.depends_on as Record<string, unknown>).redis).toEqual({
      condition: "service_healthy",
    });
    expect(String(redis.image)).toMatch(/^redis:7/);
    const command = (redis.command as string[]).join(" ");
    expect(command).toContain("--appendonly yes");
    expect(command).toContain("--maxmemory-policy noeviction");
    expect(JSON.stringify(redis.healthcheck)).toContain("ping");
    expect(String(prometheus.image)).toMatch(/^prom\/prometheus:/);
    expect(prometheus.profiles).toEqual(["monitoring"]);
    const scrape = parse(await text("deploy/prometheus/prometheus.yml")) as {
      scrape_configs: { metrics_path: string; static_configs: { targets: string[] }[] }[];
    };
    expect(scrape.scrape_configs[0]?.metrics_path).toBe("/metrics");
    expect(scrape.scrape_configs[0]?.static_configs[0]?.targets).toEqual(["preflight:3000"]);
  });
});

describe("the Kubernetes example", () => {
  it("probes readiness on /readyz and liveness on /healthz, and takes the tokens from its Secret", async () => {
    const docs = async (file: string) =>
      parseAllDocuments(await text(file)).map((doc) => doc.toJS() as Record<string, unknown>);
    const [deployment = {}] = await docs("deploy/k8s/deployment.yaml");
    const [secret = {}] = await docs("deploy/k8s/secret.yaml");
    const [service = {}] = await docs("deploy/k8s/service.yaml");
    expect([deployment.kind, secret.kind, service.kind]).toEqual(["Deployment", "Secret", "Service"]);
    const spec = deployment.spec as {
      template: { spec: { containers: Record<string, unknown>[] } };
    };
    const container = spec.template.spec.containers[0] as {
      ports: { name: string; containerPort: number }[];
      readinessProbe: { httpGet: { path: string; port: string } };
      livenessProbe: { httpGet: { path: string; port: string } };
      envFrom: { secretRef: { name: string } }[];
    };
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(container.ports).toEqual([{ name: "http", containerPort: 3000 }]);
    const secretName = (secret.metadata as { name: string }).name;
    expect(container.envFrom[0]?.secretRef.name).toBe(secretName);
    expect(Object.keys(secret.stringData as object)).toEqual(
      expect.arrayContaining(["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]),
    );
    expect((service.spec as { ports: { targetPort: string }[] }).ports[0]?.targetPort).toBe("http");
  });
});
