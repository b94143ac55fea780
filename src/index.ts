export * from './personalize/dataset-group';
