import { App } from 'cdk8s';

import { privateTutorialChart } from './examples/private-tutorial';

// The second tutorial (release `private`, ClusterIP): `npm run synth:private` writes dist-private/.
const app = new App();
privateTutorialChart(app);
app.synth();
