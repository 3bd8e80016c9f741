"""The smallest ASAB app: ``GET /health/live`` answering ``{"status": "ok"}``.

The benchmark's baseline for the ASAB template. It serves with exactly the settings of a
generated service's ``python -m <package> serve``: ASAB's web container on uvloop, with
aiohttp's access log off, ``servertokens=prod`` and the same shutdown timeout, the objects
loaded at start frozen out of the garbage collector's reach (``gc.freeze``), listening on
``HOST``/``PORT``. Run it with ``python bench/bare/bare_asab.py`` in the service's virtualenv.
"""

import asyncio
import gc
import os
import warnings

import aiohttp.web
import asab
import asab.web
import asab.web.rest
import uvloop


class WebContainer(asab.web.WebContainer):
	def __init__(self, websvc, config_section_name="web", config=None):
		super().__init__(websvc, config_section_name, config)
		self.WebAppRunner = aiohttp.web.AppRunner(
			self.WebApp, handle_signals=False, access_log=None, shutdown_timeout=5.0
		)


class BareApplication(asab.Application):
	def __init__(self):
		host = os.environ.get("HOST", "127.0.0.1")
		port = os.environ.get("PORT", "8000")
		asab.Config.read_dict({"web": {"listen": f"{host} {port}", "servertokens": "prod"}})
		super().__init__(args=[])
		self.add_module(asab.web.Module)
		with warnings.catch_warnings():
			warnings.simplefilter("ignore", aiohttp.web.NotAppKeyWarning)
			container = WebContainer(self.get_service("asab.WebService"))
		container.WebApp.router.add_get("/health/live", self.live)

	async def live(self, request):
		return asab.web.rest.json_response(request, {"status": "ok"})


if __name__ == "__main__":
	asyncio.set_event_loop(uvloop.new_event_loop())
	application = BareApplication()
	gc.freeze()
	application.run()
