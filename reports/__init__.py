"""The top layer: what reads every domain app at once. The home page (`home`: 待办 and one's own standing), the
dashboards (工作看板, `dashboards`), the yearly report (年度报告, DOMAIN §7: the workbook builder `yearly` and its
background exports), and the commands that build data across the apps (seed_demo, yearly_report,
generate_scale_data). Nothing imports this app; it may import any other (the layers contract in pyproject.toml)."""
