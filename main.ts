import { App } from 'cdk8s';

import { classicChart } from './examples/classic';

const app = new App();
classicChart(app);
app.synth();
