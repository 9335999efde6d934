import { describe, expect, it } from 'vitest';
import { failureLogLevel, isUnavailability, toAppError } from './error-conversion.ts';
import { errorBody, errorFrame, errorOfReply, errorReply } from './error-rendering.ts';
import { AppError, ERROR_CODE_LIST, errorCodes } from './errors.ts';

function named(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(name), { name, ...extra });
}

describe('error registry', () => {
  it('gives every retryable code a default wait, and no wait to the others', () => {
    for (const code of ERROR_CODE_LIST) {
      const spec = errorCodes[code];
      expect(spec.retryAfterMs !== undefined, code).toBe(spec.retryable);
      expect(spec.hint.length, code).toBeGreaterThan(10);
    }
  });

  it('refuses too deep nesting as a client error that is not retried', () => {
    expect(errorCodes.NESTING_TOO_DEEP).toMatchObject({ httpStatus: 400, retryable: false });
  });

  it("uses the registry's message and wait unless the thrower gives its own", () => {
    expect(new AppError('UNAVAILABLE')).toMatchObject({
      message: 'temporarily unavailable',
      retryAfterMs: 1_000,
    });
    expect(new AppError('RATE_LIMITED', 'slow down', { retryAfterMs: 37 }).retryAfterMs).toBe(37);
    expect(new AppError('FORBIDDEN', 'no', { retryAfterMs: 37 }).retryAfterMs).toBeUndefined();
  });
});

describe('toAppError', () => {
  it('passes AppErrors through unchanged', () => {
    const error = new AppError('FORBIDDEN', 'no');
    expect(toAppError(error)).toBe(error);
  });

  it.each([
    named('MongoServerSelectionError'),
    named('MongoNetworkTimeoutError'),
    named('MongoNetworkError'),
    named('TimeoutError'),
    named('NoResponders'),
    named('ClosedConnectionError'),
    Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }),
    Object.assign(named('MongoServerError'), { code: 50 }),
    Object.assign(named('MongoServerError'), { code: 43 }),
    Object.assign(named('MongoError'), { errorLabels: ['SystemOverloadedError'] }),
  ])('makes an outage a retryable UNAVAILABLE that keeps its cause (%s)', (err) => {
    const error = toAppError(err, 'catch-up');
    expect([error.code, error.retryAfterMs, error.cause]).toEqual(['UNAVAILABLE', 1_000, err]);
    expect(error.message).toBe('catch-up failed: temporarily unavailable');
    expect(failureLogLevel(err)).toBe('warn');
  });

  it('makes anything else INTERNAL, logged as an error', () => {
    const badQuery = Object.assign(named('MongoServerError'), { code: 2 });
    for (const err of [
      new RangeError('Maximum call stack size exceeded'),
      'a string',
      undefined,
      null,
      badQuery,
    ]) {
      expect(toAppError(err).code).toBe('INTERNAL');
      expect(isUnavailability(err)).toBe(false);
      expect(failureLogLevel(err)).toBe('error');
    }
  });

  it('logs refusals not at all, and wrapped outages once as a warning', () => {
    expect(failureLogLevel(new AppError('FORBIDDEN', 'no'))).toBeUndefined();
    expect(failureLogLevel(new AppError('UNAVAILABLE', 'busy'))).toBeUndefined();
    expect(failureLogLevel(new AppError('INVALID_TOKEN', 'bad', { cause: new Error('x') }))).toBeUndefined();
    expect(failureLogLevel(new AppError('UNAVAILABLE', 'down', { cause: named('TimeoutError') }))).toBe(
      'warn',
    );
  });
});

describe('error renderers', () => {
  it('renders frames and bodies with the wait of retryable codes only', () => {
    expect(JSON.parse(errorFrame(new AppError('UNAVAILABLE'), { repository: 'r', eventIds: ['a'] }))).toEqual(
      {
        type: 'error',
        code: 'UNAVAILABLE',
        message: 'temporarily unavailable',
        repository: 'r',
        eventIds: ['a'],
        retryAfterMs: 1_000,
      },
    );
    expect(JSON.parse(errorFrame(new AppError('FORBIDDEN', 'no')))).toEqual({
      type: 'error',
      code: 'FORBIDDEN',
      message: 'no',
    });
    expect(errorBody(new AppError('NESTING_TOO_DEEP'))).toEqual({
      error: 'event nests too deep',
      statusCode: 400,
      code: 'NESTING_TOO_DEEP',
    });
  });

  it('carries code, message and wait across the bus reply', () => {
    const sent = new AppError('UNAVAILABLE', 'busy', { retryAfterMs: 250 });
    const reply = errorReply(sent);
    if (reply.ok) throw new Error('expected a failure reply');
    const received = errorOfReply(reply);
    expect([received.code, received.message, received.retryAfterMs]).toEqual(['UNAVAILABLE', 'busy', 250]);
  });
});
