import type { Seat } from '../../config/src/review-policy';
import { type MovementRouting, REVIEW_SEATS, requiredSeats, seatRouting } from './review-policy';

const ALL_FOUR = { defaultSeats: [...REVIEW_SEATS] };
const LOGISTICS_ONLY = { defaultSeats: ['wfp_logistics'] as Seat[] };
const routine: MovementRouting = { priority: 'routine', escort: { status: 'none' } };

describe('review policy: which seats review a movement', () => {
  it('sends a routine movement without escort to all four seats by default', () => {
    expect(requiredSeats(ALL_FOUR, routine)).toEqual([
      'armed_forces_liaison',
      'undss',
      'wfp_logistics',
      'ocha',
    ]);
  });

  it('follows a narrower policy for a routine movement without escort', () => {
    expect(requiredSeats(LOGISTICS_ONLY, routine)).toEqual(['wfp_logistics']);
  });

  it.each(['requested', 'imposed'] as const)(
    'always routes an %s escort to the armed forces liaison and UNDSS',
    (status) => {
      const movement: MovementRouting = { priority: 'routine', escort: { status } };
      expect(requiredSeats(LOGISTICS_ONLY, movement)).toEqual([
        'armed_forces_liaison',
        'undss',
        'wfp_logistics',
      ]);
    },
  );

  it('always routes an emergency to UNDSS and OCHA', () => {
    const movement: MovementRouting = { priority: 'emergency', escort: { status: 'none' } };
    expect(requiredSeats(LOGISTICS_ONLY, movement)).toEqual(['undss', 'wfp_logistics', 'ocha']);
  });

  it('routes an escorted emergency to every seat, each once', () => {
    const movement: MovementRouting = { priority: 'emergency', escort: { status: 'imposed' } };
    expect(requiredSeats(LOGISTICS_ONLY, movement)).toEqual([...REVIEW_SEATS]);
  });

  it('lists seats in cell order whatever order and repeats the policy has', () => {
    const policy = { defaultSeats: ['ocha', 'undss', 'ocha', 'armed_forces_liaison'] as Seat[] };
    expect(requiredSeats(policy, routine)).toEqual(['armed_forces_liaison', 'undss', 'ocha']);
  });

  it('says why each seat reviews, for the audit log', () => {
    const movement: MovementRouting = { priority: 'emergency', escort: { status: 'requested' } };
    expect(seatRouting({ defaultSeats: ['undss', 'wfp_logistics'] }, movement)).toEqual([
      { seat: 'armed_forces_liaison', reasons: ['escort'] },
      { seat: 'undss', reasons: ['policy', 'escort', 'emergency'] },
      { seat: 'wfp_logistics', reasons: ['policy'] },
      { seat: 'ocha', reasons: ['emergency'] },
    ]);
  });

  it('refuses a policy that leaves a movement with no reviewer', () => {
    expect(() => requiredSeats({ defaultSeats: [] }, routine)).toThrow(/names no seat/);
    // An escort still brings its two seats, so the movement is not stranded.
    const escorted: MovementRouting = { priority: 'routine', escort: { status: 'requested' } };
    expect(requiredSeats({ defaultSeats: [] }, escorted)).toEqual([
      'armed_forces_liaison',
      'undss',
    ]);
  });
});
