"""Tests of the drills pytest plugin, run against throwaway test projects with pytester."""
