import { Client } from 'pg';

/** The probe's own connection to one server (replica-health.ts): never one of the request pools. */
export class ProbeClient {
  private client: Client | undefined;
  private opening: Promise<Client> | undefined;

  constructor(
    private readonly url: string,
    private readonly applicationName: string,
    /** Connect, statement and read timeout of each probe statement. */
    private readonly timeoutMs: number,
  ) {}

  /**
   * One statement on the dedicated connection, opened (again) when needed. The server cancels it
   * after the timeout (statement_timeout); when the server does not answer at all, the client
   * gives up a little later and the connection is dropped, to be opened again by the next probe.
   */
  async query<T>(text: string): Promise<T[]> {
    const client = await this.connection();
    try {
      // statement_timeout set per transaction, not at connect: a pooler in transaction mode
      // (PgBouncer) refuses it as a startup parameter and would pass a session SET on to others.
      const results = (await client.query(
        `BEGIN; SET LOCAL statement_timeout = ${this.timeoutMs}; ${text}; COMMIT`,
      )) as unknown as { rows: T[] }[];
      return results[2].rows;
    } catch (error) {
      this.drop(client);
      throw error;
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private connection(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async open(): Promise<Client> {
    const client = new Client({
      connectionString: this.url,
      application_name: this.applicationName,
      connectionTimeoutMillis: this.timeoutMs,
      query_timeout: this.timeoutMs + 500,
    });
    // A broken connection emits 'error'; without a listener it would end the process.
    client.on('error', () => this.drop(client));
    client.on('end', () => this.drop(client));
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }

  private drop(client: Client): void {
    if (this.client === client) this.client = undefined;
    void client.end().catch(() => undefined);
  }
}
