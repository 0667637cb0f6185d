/**
 * The sole writer's presence in memory: a change that alters what the room shows signals the
 * room at once, one that alters nothing does not, and time alone (someone expires, typing
 * ends) signals it too. Jest's fake timers move the clock; nothing sleeps.
 */
import { MemoryPresence } from '#chat/presence';
import { RoomSignals } from '#chat/room-signals';

describe('presence in memory', () => {
  let signals: RoomSignals;
  let presence: MemoryPresence;
  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse('2026-12-02T10:00:00Z') });
    signals = new RoomSignals();
    presence = new MemoryPresence(signals);
  });
  afterEach(() => {
    presence.close();
    jest.useRealTimers();
  });
  const ana = { uid: 'u_00000000000000a1', name: 'Ana' };

  /** Whether the room is signalled by what `act` does (and whatever is due by then). */
  async function signalled(act: () => Promise<void> | void): Promise<boolean> {
    const wake = signals.subscribe('lobby');
    try {
      const result = wake.until(0);
      await act();
      jest.advanceTimersByTime(0);
      return (await result) === 'signal' || wake.signalledAt() !== undefined;
    } finally {
      wake.cancel();
    }
  }

  it('signals a change shown, and not a refresh that changes nothing', async () => {
    expect(await signalled(() => presence.change('lobby', ana, 'here'))).toBe(true);
    expect(await signalled(() => presence.change('lobby', ana, 'here'))).toBe(false);
    expect(await signalled(() => presence.change('lobby', ana, 'typing'))).toBe(true);
    expect(await signalled(() => presence.change('lobby', ana, 'typing'))).toBe(false);
    expect(await signalled(() => presence.change('lobby', ana, 'gone'))).toBe(true);
    expect(presence.view('lobby')).toMatchObject({ presentCount: 0, present: [] });
  });

  it('leaves the signal of a message to the message itself, so that held polls wake once', async () => {
    await presence.change('lobby', ana, 'typing');
    const before = presence.view('lobby').state;
    expect(await signalled(() => presence.change('lobby', ana, 'sent'))).toBe(false);
    expect(presence.view('lobby').state).not.toBe(before);
    expect(presence.view('lobby').present[0]!.typing).toBe(false);
  });

  it('signals when typing ends by itself after 6 s, and when someone expires after 60 s', async () => {
    await presence.change('lobby', ana, 'typing');
    expect(await signalled(() => jest.advanceTimersByTime(5_900))).toBe(false);
    expect(presence.view('lobby').present[0]!.typing).toBe(true);
    expect(await signalled(() => jest.advanceTimersByTime(200))).toBe(true);
    expect(presence.view('lobby').present[0]!.typing).toBe(false);
    expect(await signalled(() => jest.advanceTimersByTime(53_000))).toBe(false);
    expect(await signalled(() => jest.advanceTimersByTime(1_000))).toBe(true);
    expect(presence.view('lobby').presentCount).toBe(0);
  });
});
