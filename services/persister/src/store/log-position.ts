import type { Collection, Db } from 'mongodb';

/**
 * The log position up to which MongoDB held everything when it was saved (the consumer's ack floor),
 * kept in MongoDB itself: restored from a backup, it tells from where the log must be replayed.
 */
export interface LogPosition {
  save(streamSequence: number): Promise<void>;
  /** Undefined when never saved (log trimming off, or a fresh database). */
  load(): Promise<number | undefined>;
}

interface PositionDocument {
  _id: string;
  seq: number;
}

const ID = 'log';

export function mongoLogPosition(db: Db, writeConcern: 'majority' | 1): LogPosition {
  const positions: Collection<PositionDocument> = db.collection<PositionDocument>('persister_positions');
  return {
    async save(streamSequence) {
      await positions.updateOne(
        { _id: ID },
        { $max: { seq: streamSequence } },
        { upsert: true, writeConcern: { w: writeConcern } },
      );
    },
    async load() {
      return (await positions.findOne({ _id: ID }))?.seq;
    },
  };
}
