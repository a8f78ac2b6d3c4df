import { connectionErrorLabel, isConnectionError } from './db-errors';

const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isConnectionError', () => {
  it.each([
    [coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), 'ECONNREFUSED'],
    [coded('ECONNRESET', 'read ECONNRESET'), 'ECONNRESET'],
    [coded('ETIMEDOUT'), 'ETIMEDOUT'],
    [coded('EPIPE'), 'EPIPE'],
    [coded('08006', 'connection failure'), '08006'],
    [coded('08P01', 'protocol violation'), '08P01'],
    [coded('57P01', 'terminating connection due to administrator command'), '57P01'],
    [coded('57P02'), '57P02'],
    [coded('57P03', 'the database system is starting up'), '57P03'],
    [coded('53300', 'sorry, too many clients already'), '53300'],
    [new Error('Connection terminated unexpectedly'), 'connection terminated'],
    [new Error('Connection terminated'), 'connection terminated'],
    [new Error('Connection terminated due to connection timeout'), 'connect timeout'],
    [new Error('timeout exceeded when trying to connect'), 'connect timeout'],
    [new Error('Query read timeout'), 'query timeout'],
    [
      new Error('Client has encountered a connection error and is not queryable'),
      'connection lost',
    ],
  ])('knows %s', (error, label) => {
    expect(connectionErrorLabel(error)).toBe(label);
  });

  it('looks inside the errors that wrap them', () => {
    // TypeORM's QueryFailedError keeps the driver's error; Node's connect to several addresses
    // (localhost: ::1 and 127.0.0.1) fails with an AggregateError; others set `cause`.
    const typeorm = Object.assign(new Error('Connection terminated unexpectedly'), {
      name: 'QueryFailedError',
      driverError: new Error('Connection terminated unexpectedly'),
    });
    expect(isConnectionError(typeorm)).toBe(true);
    expect(isConnectionError(new AggregateError([coded('ECONNREFUSED')], 'connect'))).toBe(true);
    expect(isConnectionError(new Error('wrapped', { cause: coded('ECONNRESET') }))).toBe(true);
    const released = Object.assign(new Error('Query runner already released.'), {
      name: 'QueryRunnerAlreadyReleasedError',
    });
    expect(isConnectionError(released)).toBe(true);
  });

  it('leaves every other error alone', () => {
    for (const error of [
      coded('23505', 'duplicate key value violates unique constraint'),
      coded('42P01', 'relation "nope" does not exist'),
      coded('28P01', 'password authentication failed'),
      coded('3D000', 'database "nope" does not exist'),
      coded('57014', 'canceling statement due to statement timeout'),
      coded('ENOENT'),
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      new Error('Something about a connection terminated elsewhere'),
      'ECONNREFUSED',
      undefined,
      null,
    ])
      expect(isConnectionError(error)).toBe(false);
  });
});
