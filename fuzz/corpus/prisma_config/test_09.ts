export default {{ schema: missing('{}') }};
