"""Dashboards (工作看板): figures for a year and a subtree, each linking to the rows it counts."""
