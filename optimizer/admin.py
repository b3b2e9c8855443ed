from __future__ import annotations

from django.contrib import admin

from optimizer.models import ApiKey, Optimization

admin.site.register(Optimization)
admin.site.register(ApiKey)
