import { describeDartSuite } from './dart-suite.ts';

describeDartSuite('nats-mongo');
