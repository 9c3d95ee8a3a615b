// Run by tools/spec-gates/run against the standalone fake (go run ./cmd/zendeskfake): the client
// @hey-api/openapi-ts generates from spec/zendesk.yaml into ./client, compiled with tsc, calls a
// real HTTP server that validates every request against the same spec. Compiling proves the types;
// this proves the paths, query styles, bodies and decoding work. Each step asserts what came back;
// any mismatch exits 1.
//
//   node fake.js BASE_URL EMAIL API_TOKEN TICKETS
import { createClient, createConfig } from "./client/client";
import {
  createManyTickets,
  createTicket,
  listTickets,
  showJobStatus,
  showTicket,
  showUser,
  updateTicket,
  uploadFile,
} from "./client/sdk.gen";
import type { ErrorBody, JobStatus, Ticket } from "./client/types.gen";

// What this program uses of Node's globals (the gate installs no @types/node).
declare const process: { argv: string[]; exit(code: number): never };

const [baseUrl, email, apiToken, ticketsArg] = process.argv.slice(2);
if (!baseUrl || !email || !apiToken || !ticketsArg) {
  console.error("usage: node fake.js BASE_URL EMAIL API_TOKEN TICKETS");
  process.exit(2);
}
const generated = Number(ticketsArg);

const client = createClient(
  createConfig({
    baseUrl,
    auth: (auth) => (auth.scheme === "basic" ? `${email}/token:${apiToken}` : undefined),
  }),
);

class Mismatch extends Error {}

function check(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Mismatch(what);
}

function equal<T>(got: T, want: T, what: string): void {
  check(JSON.stringify(got) === JSON.stringify(want), `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

// describe is an error body, for the message of an unexpected failure.
function describe(response: Response | undefined, e: ErrorBody | undefined): string {
  return `HTTP ${response?.status ?? "(no answer)"}: ${JSON.stringify(e)}`;
}

const steps: Array<[string, () => Promise<string>]> = [];
const step = (name: string, run: () => Promise<string>) => steps.push([name, run]);
let created: Ticket | undefined;

step("list tickets across cursor pages (page[size], page[after])", async () => {
  const pageSize = 40;
  const ids: number[] = [];
  let after: string | undefined;
  let pages = 0;
  for (;;) {
    const { data, error, response } = await listTickets({ client, query: { "page[size]": pageSize, "page[after]": after } });
    check(data !== undefined, `page ${pages + 1}: ${describe(response, error)}`);
    pages++;
    check(data.tickets.length <= pageSize, `page ${pages} has ${data.tickets.length} tickets, more than page[size] ${pageSize}`);
    for (const t of data.tickets) ids.push(t.id ?? -1);
    if (!data.meta?.has_more) break;
    check(typeof data.meta.after_cursor === "string" && data.meta.after_cursor !== "", `page ${pages}: has_more without after_cursor`);
    check(data.meta.after_cursor !== after, `page ${pages}: the cursor did not move`);
    after = data.meta.after_cursor;
    check(pages < 100, "more than 100 pages");
  }
  equal(pages, Math.ceil(generated / pageSize), "pages");
  equal(ids, Array.from({ length: generated }, (_, i) => i + 1), "ticket ids, in order, each once");
  return `${ids.length} tickets in ${pages} pages`;
});

step("show a ticket with its requester sideloaded (include=users)", async () => {
  const { data, error, response } = await showTicket({ client, path: { ticket_id: 7 }, query: { include: ["users"] } });
  check(data !== undefined, describe(response, error));
  equal(data.ticket.id, 7, "ticket id");
  const requester = data.ticket.requester_id;
  check(typeof requester === "number", `requester_id ${requester} is not a number`);
  const users = data.users ?? [];
  const sideloaded = users.find((u) => u.id === requester);
  check(sideloaded !== undefined, `requester ${requester} not among the sideloaded users ${JSON.stringify(users.map((u) => u.id))}`);
  const user = await showUser({ client, path: { user_id: requester } });
  check(user.data !== undefined, describe(user.response, user.error));
  equal(sideloaded.email, user.data.user.email, "sideloaded requester's email, against ShowUser");
  const plain = await showTicket({ client, path: { ticket_id: 7 } });
  check(plain.data !== undefined, describe(plain.response, plain.error));
  check(plain.data.users === undefined || plain.data.users.length === 0, "users sideloaded without include");
  return `ticket 7 with ${users.length} sideloaded users, requester ${requester} (${sideloaded.email})`;
});

step("create a ticket", async () => {
  const { data, error, response } = await createTicket({
    client,
    headers: { "Idempotency-Key": `hey-api-${Date.now()}` },
    body: { ticket: { subject: "Printer on fire", comment: { body: "It smokes.", public: true }, priority: "urgent", tags: ["hey-api"] } },
  });
  check(data !== undefined, describe(response, error));
  equal(response?.status, 201, "status");
  check(typeof data.ticket.id === "number" && data.ticket.id > generated, `new id ${data.ticket.id}`);
  equal(data.ticket.subject, "Printer on fire", "subject");
  created = data.ticket;
  return `ticket ${data.ticket.id}`;
});

step("read the created ticket back", async () => {
  check(created?.id !== undefined, "no ticket was created");
  const { data, error, response } = await showTicket({ client, path: { ticket_id: created.id } });
  check(data !== undefined, describe(response, error));
  equal([data.ticket.id, data.ticket.subject, data.ticket.priority], [created.id, "Printer on fire", "urgent"], "ticket");
  equal(data.ticket.description, "It smokes.", "description (the first comment)");
  equal(data.ticket.tags, ["hey-api"], "tags");
  return `ticket ${data.ticket.id}: ${data.ticket.subject}`;
});

step("update it", async () => {
  check(created?.id !== undefined, "no ticket was created");
  const { data, error, response } = await updateTicket({
    client,
    path: { ticket_id: created.id },
    body: { ticket: { status: "pending", priority: "low", comment: { body: "Fire is out.", public: false } } },
  });
  check(data !== undefined, describe(response, error));
  equal([data.ticket.status, data.ticket.priority], ["pending", "low"], "updated ticket");
  const back = await showTicket({ client, path: { ticket_id: created.id } });
  check(back.data !== undefined, describe(back.response, back.error));
  equal([back.data.ticket.status, back.data.ticket.priority], ["pending", "low"], "ticket read after the update");
  return `ticket ${created.id} pending, priority low`;
});

step("a missing ticket is a typed 404", async () => {
  const { data, error, response } = await showTicket({ client, path: { ticket_id: 999_999_999 } });
  equal(data, undefined, "data of a 404");
  equal(response?.status, 404, "status");
  check(error !== undefined, "no error body");
  const body: ErrorBody = error; // typed by the spec's 4XX response
  equal(body.error, "RecordNotFound", "error code");
  // throwOnError: the same body, thrown.
  let thrown: unknown;
  try {
    await showTicket({ client, path: { ticket_id: 999_999_999 }, throwOnError: true });
  } catch (e) {
    thrown = e;
  }
  equal((thrown as ErrorBody | undefined)?.error, "RecordNotFound", "thrown error");
  return `404 ${body.error}: ${body.description}`;
});

step("run a bulk job and poll ShowJobStatus to completion", async () => {
  const subjects = ["Bulk one", "Bulk two", "Bulk three"];
  const { data, error, response } = await createManyTickets({
    client,
    body: { tickets: subjects.map((subject) => ({ subject, comment: { body: subject } })) },
  });
  check(data !== undefined, describe(response, error));
  const id = data.job_status.id;
  check(typeof id === "string" && id !== "", `job id ${id}`);
  let job: JobStatus = data.job_status;
  const seen = [job.status];
  for (let polls = 0; job.status === "queued" || job.status === "working"; polls++) {
    check(polls < 50, `job still ${job.status} after 50 polls`);
    await new Promise((r) => setTimeout(r, 20));
    const poll = await showJobStatus({ client, path: { job_status_id: id } });
    check(poll.data !== undefined, describe(poll.response, poll.error));
    job = poll.data.job_status;
    seen.push(job.status);
  }
  equal(job.status, "completed", "final status");
  check(seen.length > 1, "the job was never polled");
  const raw = job.results ?? [];
  check(Array.isArray(raw), `a creation job's results are a list, got ${JSON.stringify(raw)}`);
  const results = raw;
  equal(results.length, subjects.length, "results");
  for (const [i, r] of results.entries()) {
    check(typeof r.id === "number", `result ${i} id ${JSON.stringify(r.id)}`);
    const t = await showTicket({ client, path: { ticket_id: r.id } });
    check(t.data !== undefined, describe(t.response, t.error));
    equal(t.data.ticket.subject, subjects[i], `subject of result ${i}`);
  }
  return `job ${id}: ${seen.join(" -> ")}, ${results.length} tickets created`;
});

// A file of every byte value, so that a download that re-encodes or truncates shows.
const file = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256);
let contentUrl = "";

step("upload an attachment", async () => {
  const { data, error, response } = await uploadFile({
    client,
    query: { filename: "note.bin" },
    body: new Blob([file], { type: "application/binary" }),
    headers: { "Content-Type": "application/binary" },
  });
  check(data !== undefined, describe(response, error));
  equal(response?.status, 201, "status");
  const a = data.upload.attachment;
  check(a != null, "no attachment in the upload");
  check(typeof data.upload.token === "string" && data.upload.token !== "", "no upload token");
  equal([a.file_name, a.size], ["note.bin", file.length], "attachment name and size");
  check(typeof a.content_url === "string" && a.content_url.startsWith(baseUrl + "/"), `content_url ${a.content_url} is not on the fake`);
  contentUrl = a.content_url;
  return `token ${data.upload.token}, attachment ${a.id}, ${a.size} bytes`;
});

step("download it", async () => {
  check(contentUrl !== "", "no content_url");
  const res = await fetch(contentUrl, { headers: { Authorization: "Basic " + btoa(`${email}/token:${apiToken}`) } });
  equal(res.status, 200, `GET ${contentUrl}`);
  const got = new Uint8Array(await res.arrayBuffer());
  equal(got.length, file.length, "downloaded length");
  const differs = got.findIndex((v, i) => v !== file[i]);
  equal(differs, -1, "first differing byte");
  return `${got.length} bytes, identical to the upload`;
});

async function main(): Promise<number> {
  let ok = 0;
  for (const [i, [name, run]] of steps.entries()) {
    try {
      const what = await run();
      ok++;
      console.log(`  ok ${i + 1} ${name}: ${what}`);
    } catch (e) {
      console.log(`  FAIL ${i + 1} ${name}: ${e instanceof Mismatch ? e.message : e instanceof Error ? e.stack : String(e)}`);
    }
  }
  console.log(`@hey-api/openapi-ts client against the fake: ${ok}/${steps.length} steps ok`);
  return ok === steps.length ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
