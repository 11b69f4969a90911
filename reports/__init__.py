"""The yearly report (年度报告, DOMAIN §7): the workbook builder (`yearly`) and its background exports."""
