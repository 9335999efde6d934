import { describeDartSuite } from './dart-suite.ts';

describeDartSuite('embedded');
