// What an integrator writes with the generated types (openapi-typescript) and openapi-fetch:
// a token, every page of a list, and a create. scripts/clients.sh type-checks it with
// `tsc --strict` against types generated from openapi/openapi.json, so a contract change that
// breaks these calls (a renamed field, a list that stops being a page, a body that no longer
// takes these fields) fails the build.
import createClient from "openapi-fetch";
import type { components, paths } from "./api";

type Assignment = components["schemas"]["Assignment"];
type Problem = components["schemas"]["Problem"];
type Round = components["schemas"]["Round"];

function fail(what: string, problem: Problem): never {
  const fields = (problem.errors ?? []).map((e) => `${e.field}: ${e.message}`).join("; ");
  throw new Error(`${what}: ${problem.status} ${problem.title}${problem.detail ? ` (${problem.detail})` : ""} ${fields}`);
}

/** Signs in, reads every assignment of `year`, then drafts a round of `unitId` for that year. */
export async function draftRoundAfterReading(
  baseUrl: string,
  username: string,
  password: string,
  unitId: string,
  year: number,
): Promise<{ assignments: Assignment[]; round: Round; etag: string | null }> {
  const api = createClient<paths>({ baseUrl });

  const token = await api.POST("/api/v1/auth/token", {
    body: { grant_type: "password", username, password },
    bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  if (token.error) fail("token", token.error);
  const expiresAt = new Date(Date.now() + token.data.expires_in * 1000);
  const headers = { Authorization: `${token.data.token_type} ${token.data.access_token}` };

  const assignments: Assignment[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.GET("/api/v1/assignments", {
      headers,
      params: { query: { year, state: "issued", limit: 200, cursor } },
    });
    if (page.error) fail("list assignments", page.error);
    assignments.push(...page.data.items);
    cursor = page.data.next_cursor ?? undefined;
  } while (cursor && new Date() < expiresAt);

  const created = await api.POST("/api/v1/rounds", {
    headers: { ...headers, "Idempotency-Key": crypto.randomUUID() },
    body: {
      assigning_unit_id: unitId,
      year,
      title: `Đợt giao nhiệm vụ năm ${year} (${assignments.length} nhiệm vụ đang thực hiện)`,
      decision_number: "99-QĐ/TU",
      decision_date: `${year}-01-10`,
    },
  });
  if (created.error) fail("create round", created.error);
  const round: Round = created.data;
  return { assignments, round, etag: created.response.headers.get("ETag") };
}
