export default {
  schema: missingFunction(),
};
