export * from './personalize/dataset-group';
export * from './personalize/dataset-type';
export * from './personalize/schema-field';
export * from './personalize/schema';
export * from './personalize/dataset';
export * from './agentcore/evaluation-dataset';
export * from './agentcore/schema-type';
export * from './agentcore/source';
